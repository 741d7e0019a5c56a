// The inventory view's state as the API's list query: filters, search text, sort, and the cursor stack that
// lets "previous" walk back through keyset pages (the API only gives the next cursor).
import { query } from './api.ts';

export interface InventoryFilters {
  q: string;
  status: string;
  authorityId: string;
  keyType: string;
  owner: string;
  expiringWithinDays: string;
  sort: string;
}

export const EMPTY_FILTERS: InventoryFilters = {
  q: '',
  status: '',
  authorityId: '',
  keyType: '',
  owner: '',
  expiringWithinDays: '',
  sort: 'notAfter',
};

export const PAGE_SIZE = 25;

export function listPath(f: InventoryFilters, cursor: string | undefined): string {
  return `/api/v1/certificates${query({ ...f, limit: PAGE_SIZE, cursor })}`;
}

/** Filters from the view's address (#/certificates?status=expired), so the dashboard can link into it. */
export function filtersFromHash(hash: string): InventoryFilters {
  const params = new URLSearchParams(hash.split('?')[1] ?? '');
  const f = { ...EMPTY_FILTERS };
  for (const key of Object.keys(f) as Array<keyof InventoryFilters>) {
    const v = params.get(key);
    if (v !== null) f[key] = v;
  }
  return f;
}

/** The filters as POST /api/v1/rotations/bulk takes them: the ones set, typed; the sort is not a filter. */
export function bulkFilter(f: InventoryFilters): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(f)) {
    if (k === 'sort' || !v.trim()) continue;
    out[k] = k === 'authorityId' || k === 'expiringWithinDays' ? Number(v) : v.trim();
  }
  return out;
}
