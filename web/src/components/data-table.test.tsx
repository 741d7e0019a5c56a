// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Column, DataTable, nextSort } from './data-table.tsx';

interface Row {
  id: number;
  name: string;
}
const columns: Column<Row>[] = [
  { key: 'name', label: 'Name', sort: 'commonName', render: (r) => r.name },
  { key: 'id', label: 'Id', render: (r) => r.id },
];
const rows = [
  { id: 1, name: 'a.example.com' },
  { id: 2, name: 'b.example.com' },
];

afterEach(cleanup);

describe('the data table', () => {
  it('sorts ascending first, then descending, and says so with aria-sort', () => {
    expect(nextSort('notAfter', 'commonName')).toBe('commonName');
    expect(nextSort('commonName', 'commonName')).toBe('-commonName');
    expect(nextSort('-commonName', 'commonName')).toBe('commonName');
    const onSort = vi.fn();
    render(<DataTable caption="Certificates" columns={columns} rows={rows} sort="-commonName" onSort={onSort} />);
    expect(screen.getByRole('columnheader', { name: /Name/ }).getAttribute('aria-sort')).toBe('descending');
    expect(screen.getByRole('columnheader', { name: 'Id' }).getAttribute('aria-sort')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: /Name/ }));
    expect(onSort).toHaveBeenCalledWith('commonName');
  });

  it('selects rows one by one or all at once, each checkbox named after its row', () => {
    const onSelect = vi.fn();
    const { rerender } = render(
      <DataTable
        caption="Certificates"
        columns={columns}
        rows={rows}
        selected={new Set()}
        onSelect={onSelect}
        rowLabel={(r) => r.name}
      />,
    );
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select b.example.com' }));
    expect(onSelect).toHaveBeenLastCalledWith(new Set([2]));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select all rows on this page' }));
    expect(onSelect).toHaveBeenLastCalledWith(new Set([1, 2]));
    rerender(
      <DataTable
        caption="Certificates"
        columns={columns}
        rows={rows}
        selected={new Set([1, 2])}
        onSelect={onSelect}
        rowLabel={(r) => r.name}
      />,
    );
    expect((screen.getByRole('checkbox', { name: 'Select all rows on this page' }) as HTMLInputElement).checked).toBe(
      true,
    );
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select a.example.com' }));
    expect(onSelect).toHaveBeenLastCalledWith(new Set([2]));
  });

  it('says so when there is nothing to show', () => {
    render(<DataTable caption="Certificates" columns={columns} rows={[]} />);
    expect(screen.getByText('Nothing here yet.')).toBeTruthy();
  });
});
