// The page every kind of configured plugin shares (destinations, sources, next notification channels): the list,
// each row's own actions (test, run…) beside Edit and Delete, and the create/edit form from the plugin schemas.
import { type ReactNode, useState } from 'react';
import { api } from '../lib/api.ts';
import { useSession } from '../lib/session.tsx';
import type { Page, PluginDescription, PluginInstance } from '../lib/types.ts';
import { useAction, useApi } from '../lib/use-api.ts';
import { type Column, DataTable } from './data-table.tsx';
import { ErrorNotice } from './form.tsx';
import { PluginInstanceForm } from './plugin-instance-form.tsx';

interface Props<T extends PluginInstance> {
  title: string;
  intro: string;
  /** e.g. `destination`: names the form's fields and buttons. */
  noun: string;
  /** The collection, e.g. /api/v1/destinations. */
  endpoint: string;
  /** Default `${endpoint}/plugins`. */
  pluginsEndpoint?: string;
  /** False when the kind has no PATCH: no Edit button. */
  editable?: boolean;
  flags?: Array<{ name: string; label: string }>;
  managePermission: string;
  columns: Column<T>[];
  /** A row's own actions, before Edit and Delete (shown to whoever may see them). */
  rowActions?: (row: T, reload: () => void) => ReactNode;
  children?: (list: { rows: T[]; reload: () => void }) => ReactNode;
}

function EditDelete({ name, remove, edit }: { name: string; remove: () => Promise<unknown>; edit?: () => void }) {
  const action = useAction();
  return (
    <>
      {edit && (
        <button type="button" onClick={edit} aria-label={`Edit ${name}`}>
          Edit
        </button>
      )}
      <button
        type="button"
        className="danger"
        onClick={() => void action.run(remove)}
        disabled={action.busy}
        aria-label={`Delete ${name}`}
      >
        Delete
      </button>
      <ErrorNotice error={action.error} />
    </>
  );
}

export function PluginInstances<T extends PluginInstance>(props: Props<T>) {
  const { title, intro, noun, endpoint, managePermission, rowActions, children, editable = true, flags } = props;
  const { can } = useSession();
  const list = useApi<Page<T>>(endpoint);
  const plugins = useApi<Page<PluginDescription>>(props.pluginsEndpoint ?? `${endpoint}/plugins`).data?.items;
  const [editing, setEditing] = useState<T>();
  // A new key after each save gives an empty form for the next one.
  const [saved, setSaved] = useState(0);
  const manage = can(managePermission);
  const reload = () => void list.reload();
  const actions = (row: T) => (
    <div className="actions">
      {rowActions?.(row, reload)}
      {manage && (
        <EditDelete
          name={row.name}
          edit={editable ? () => setEditing(row) : undefined}
          remove={async () => {
            await api('DELETE', `${endpoint}/${row.id}`);
            reload();
          }}
        />
      )}
    </div>
  );
  const columns = [...props.columns, { key: 'actions', label: 'Actions', render: actions }];
  const rows = list.data?.items ?? [];
  return (
    <>
      <h1>{title}</h1>
      <p className="hint">{intro}</p>
      <ErrorNotice error={list.error} />
      <DataTable caption={title} columns={columns} rows={rows} />
      {children?.({ rows, reload })}
      {manage && plugins && (
        <PluginInstanceForm
          key={editing ? `edit-${editing.id}` : `new-${saved}`}
          noun={noun}
          heading={editing ? `Edit ${editing.name}` : `New ${noun}`}
          submitLabel={editing ? 'Save changes' : `Create ${noun}`}
          endpoint={endpoint}
          plugins={plugins}
          editing={editing}
          flags={flags}
          done={() => {
            setEditing(undefined);
            setSaved((n) => n + 1);
            reload();
          }}
        />
      )}
    </>
  );
}
