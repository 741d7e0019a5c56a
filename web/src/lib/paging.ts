// Keyset paging in a view: the API gives only the next cursor, so the view keeps the cursors that opened each
// page so far, and "previous" pops one.
export interface Paging {
  stack: Array<string | undefined>;
}

export const firstPage = (): Paging => ({ stack: [undefined] });
export const currentCursor = (p: Paging) => p.stack[p.stack.length - 1];
export const nextPage = (p: Paging, next: string): Paging => ({ stack: [...p.stack, next] });
export const previousPage = (p: Paging): Paging => (p.stack.length > 1 ? { stack: p.stack.slice(0, -1) } : p);
export const pageNumber = (p: Paging) => p.stack.length;
