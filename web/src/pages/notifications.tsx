// Notifications: channels (the shared plugin-instance page, with a test-send per row), the rules that say who
// else is told of which events, and the recent deliveries with their attempts and last error.
import { type FormEvent, useState } from 'react';
import { type Column, DataTable } from '../components/data-table.tsx';
import { CheckField, ErrorNotice, SelectField, TextField } from '../components/form.tsx';
import { PluginInstances } from '../components/plugin-instances.tsx';
import { api } from '../lib/api.ts';
import { useSession } from '../lib/session.tsx';
import { type Channel, type Delivery, NOTIFICATION_EVENTS, type Page, type Rule } from '../lib/types.ts';
import { useAction, useApi } from '../lib/use-api.ts';

const BASE = '/api/v1/notifications';

const channelColumns: Column<Channel>[] = [
  { key: 'name', label: 'Name', render: (c) => c.name },
  { key: 'plugin', label: 'Plugin', render: (c) => c.plugin },
  { key: 'owners', label: 'Reaches owners', render: (c) => (c.owners ? 'yes' : 'no') },
  { key: 'secrets', label: 'Credentials set', render: (c) => c.secretsSet.join(', ') || 'none' },
];

function TestSend({ c }: { c: Channel }) {
  const [recipient, setRecipient] = useState('');
  const [sent, setSent] = useState(false);
  const action = useAction();
  const send = async (e: FormEvent) => {
    e.preventDefault();
    setSent(false);
    const body = c.plugin === 'email' ? { recipient } : {};
    if (await action.run(() => api('POST', `${BASE}/channels/${c.id}/test`, body))) setSent(true);
  };
  return (
    <form onSubmit={send} className="inline" aria-label={`Test ${c.name}`}>
      {c.plugin === 'email' && (
        <TextField label={`Test recipient for ${c.name}`} type="email" value={recipient} onChange={setRecipient} />
      )}
      <button type="submit" disabled={action.busy}>
        Send a test
      </button>
      {sent && <span role="status">sent</span>}
      <ErrorNotice error={action.error} />
    </form>
  );
}

function NewRule({ channels, done }: { channels: Channel[]; done: () => void }) {
  const [f, setF] = useState({ channelId: '', match: 'all', value: '', recipient: '' });
  const [events, setEvents] = useState<string[]>(['expiry']);
  const set = (k: keyof typeof f) => (v: string) => setF((x) => ({ ...x, [k]: v }));
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      channelId: Number(f.channelId),
      match: f.match,
      value: f.match === 'all' ? undefined : f.value,
      recipient: f.recipient || undefined,
      events,
    };
    if (await action.run(() => api('POST', `${BASE}/rules`, body))) done();
  };
  const field = action.error?.field;
  return (
    <form onSubmit={submit} aria-labelledby="new-rule" className="panel">
      <h2 id="new-rule">New rule</h2>
      <SelectField
        label="Channel"
        value={f.channelId}
        onChange={set('channelId')}
        error={field === 'channelId' ? action.error?.message : undefined}
        options={[{ value: '', label: 'choose…' }, ...channels.map((c) => ({ value: String(c.id), label: c.name }))]}
      />
      <SelectField
        label="Certificates"
        value={f.match}
        onChange={set('match')}
        options={['all', 'owner', 'authority', 'label']}
      />
      {f.match !== 'all' && (
        <TextField
          label="Matching"
          value={f.value}
          onChange={set('value')}
          hint="an owner, an authority id, or a label key=value"
          error={field === 'value' ? action.error?.message : undefined}
        />
      )}
      <TextField
        label="Recipient"
        value={f.recipient}
        onChange={set('recipient')}
        hint="e-mail address (e-mail channels)"
      />
      <fieldset>
        <legend>Events</legend>
        {NOTIFICATION_EVENTS.filter((e) => e !== 'test').map((e) => (
          <CheckField
            key={e}
            label={e}
            checked={events.includes(e)}
            onChange={(on) => setEvents(on ? [...events, e] : events.filter((x) => x !== e))}
          />
        ))}
      </fieldset>
      <ErrorNotice error={action.error} />
      <button type="submit" className="primary" disabled={action.busy}>
        Add rule
      </button>
    </form>
  );
}

const deliveryColumns: Column<Delivery>[] = [
  { key: 'at', label: 'Queued', render: (d) => d.createdAt.replace('T', ' ').slice(0, 19) },
  { key: 'event', label: 'Event', render: (d) => d.event },
  { key: 'to', label: 'To', render: (d) => d.recipient },
  { key: 'subject', label: 'Subject', render: (d) => d.subject },
  { key: 'status', label: 'Status', render: (d) => <span className={`status ${d.status}`}>{d.status}</span> },
  { key: 'attempts', label: 'Attempts', render: (d) => `${d.attempts}${d.lastError ? `: ${d.lastError}` : ''}` },
];

function Rules({ channels }: { channels: Channel[] }) {
  const { can } = useSession();
  const rules = useApi<Page<Rule>>(`${BASE}/rules`);
  const action = useAction();
  const remove = async (id: number) => {
    if (await action.run(() => api('DELETE', `${BASE}/rules/${id}`))) void rules.reload();
  };
  const columns: Column<Rule>[] = [
    {
      key: 'channel',
      label: 'Channel',
      render: (r) => channels.find((c) => c.id === r.channelId)?.name ?? r.channelId,
    },
    { key: 'match', label: 'Certificates', render: (r) => (r.match === 'all' ? 'all' : `${r.match} ${r.value}`) },
    { key: 'recipient', label: 'Recipient', render: (r) => r.recipient },
    { key: 'events', label: 'Events', render: (r) => r.events.join(', ') },
    {
      key: 'actions',
      label: 'Actions',
      render: (r) =>
        can('notification:manage') && (
          <button type="button" className="danger" onClick={() => remove(r.id)} aria-label={`Delete rule ${r.id}`}>
            Delete
          </button>
        ),
    },
  ];
  return (
    <>
      <ErrorNotice error={rules.error ?? action.error} />
      <DataTable caption="Rules" columns={columns} rows={rules.data?.items ?? []} />
      {can('notification:manage') && <NewRule channels={channels} done={rules.reload} />}
    </>
  );
}

export function Notifications() {
  const { can } = useSession();
  const deliveries = useApi<Page<Delivery>>(`${BASE}/deliveries?limit=50`);
  return (
    <PluginInstances
      title="Notifications"
      intro="Channels that warn owners and others before certificates expire, and of rotations and revocations."
      noun="channel"
      endpoint={`${BASE}/channels`}
      pluginsEndpoint={`${BASE}/plugins`}
      editable={false}
      flags={[{ name: 'owners', label: 'Reach certificate owners through this channel' }]}
      managePermission="notification:manage"
      columns={channelColumns}
      rowActions={(c) => can('notification:manage') && <TestSend c={c} />}
    >
      {({ rows }) => (
        <>
          <Rules channels={rows} />
          <DataTable caption="Recent deliveries" columns={deliveryColumns} rows={deliveries.data?.items ?? []} />
        </>
      )}
    </PluginInstances>
  );
}
