// Previous and next buttons for keyset paging (lib/paging.ts): next is offered only when the API gave a cursor.
import { nextPage, type Paging, pageNumber, previousPage } from '../lib/paging.ts';

interface Props {
  paging: Paging;
  onPaging: (p: Paging) => void;
  /** The `next` cursor of the page shown. */
  next?: string | null;
  labels?: [previous: string, next: string];
}

export function Pager({ paging, onPaging, next, labels = ['Previous page', 'Next page'] }: Props) {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={pageNumber(paging) === 1} onClick={() => onPaging(previousPage(paging))}>
        {labels[0]}
      </button>
      <button type="button" disabled={!next} onClick={() => next && onPaging(nextPage(paging, next))}>
        {labels[1]}
      </button>
    </nav>
  );
}
