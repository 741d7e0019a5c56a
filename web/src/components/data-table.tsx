// A table with sortable column headers (buttons, with aria-sort) and optional row selection for bulk actions.
// Sorting is the server's (keyset paging needs it): the table only reports which column and direction.
import type { ReactNode } from 'react';

export interface Column<T> {
  key: string;
  label: string;
  render: (row: T) => ReactNode;
  /** The API's sort name for this column, when it can be sorted by. */
  sort?: string;
}

interface Props<T extends { id: number }> {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  sort?: string;
  onSort?: (sort: string) => void;
  selected?: ReadonlySet<number>;
  onSelect?: (ids: Set<number>) => void;
  rowLabel?: (row: T) => string;
}

/** The next sort when a header is pressed: ascending first, then descending. */
export function nextSort(current: string | undefined, column: string): string {
  return current === column ? `-${column}` : column;
}

export function ariaSort(current: string | undefined, column: string): 'ascending' | 'descending' | 'none' {
  if (current === column) return 'ascending';
  if (current === `-${column}`) return 'descending';
  return 'none';
}

export function DataTable<T extends { id: number }>(props: Props<T>) {
  const { caption, columns, rows, sort, onSort, selected, onSelect, rowLabel } = props;
  const toggle = (id: number, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    onSelect?.(next);
  };
  const allOn = rows.length > 0 && rows.every((r) => selected?.has(r.id));
  return (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {onSelect && (
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select all rows on this page"
                  checked={allOn}
                  onChange={(e) => onSelect(new Set(e.target.checked ? rows.map((r) => r.id) : []))}
                />
              </th>
            )}
            {columns.map((c) => (
              <th key={c.key} scope="col" aria-sort={c.sort ? ariaSort(sort, c.sort) : undefined}>
                {c.sort && onSort ? (
                  <button type="button" className="sort" onClick={() => onSort(nextSort(sort, c.sort!))}>
                    {c.label}
                    <span aria-hidden="true">
                      {{ ascending: ' ▲', descending: ' ▼', none: '' }[ariaSort(sort, c.sort)]}
                    </span>
                  </button>
                ) : (
                  c.label
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={columns.length + (onSelect ? 1 : 0)}>Nothing here yet.</td>
            </tr>
          )}
          {rows.map((row) => (
            <tr key={row.id}>
              {onSelect && (
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select ${rowLabel?.(row) ?? row.id}`}
                    checked={selected?.has(row.id) ?? false}
                    onChange={(e) => toggle(row.id, e.target.checked)}
                  />
                </td>
              )}
              {columns.map((c) => (
                <td key={c.key} data-label={c.label}>
                  {c.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
