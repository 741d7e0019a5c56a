import { describe, expect, it } from 'vitest';
import { bulkFilter, EMPTY_FILTERS, filtersFromHash, listPath } from './inventory.ts';

describe('the inventory view state', () => {
  it('reads filters from the address and sends only those set', () => {
    const f = filtersFromHash('#/certificates?status=expired&owner=web');
    expect(f).toEqual({ ...EMPTY_FILTERS, status: 'expired', owner: 'web' });
    expect(listPath(f, 'abc')).toBe('/api/v1/certificates?status=expired&owner=web&sort=notAfter&limit=25&cursor=abc');
  });

  it('turns the filters into the bulk rotation filter, numbers typed and the sort left out', () => {
    const f = { ...EMPTY_FILTERS, owner: ' payments ', authorityId: '3', expiringWithinDays: '30', sort: '-notAfter' };
    expect(bulkFilter(f)).toEqual({ owner: 'payments', authorityId: 3, expiringWithinDays: 30 });
    expect(bulkFilter(EMPTY_FILTERS)).toEqual({});
  });
});
