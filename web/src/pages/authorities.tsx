// Authorities (create a root or an intermediate) and external issuers (register an ACME or CFSSL issuer; the
// form is rendered from the plugin's options and secrets schemas, so new plugins need no UI change).
import { type FormEvent, useState } from 'react';
import { type Column, DataTable } from '../components/data-table.tsx';
import { ErrorNotice, SelectField, TextField } from '../components/form.tsx';
import { PluginInstanceForm } from '../components/plugin-instance-form.tsx';
import { api } from '../lib/api.ts';
import { useSession } from '../lib/session.tsx';
import { type Authority, type Issuer, type IssuerPlugin, KEY_TYPES, type Page } from '../lib/types.ts';
import { useAction, useApi } from '../lib/use-api.ts';

const authorityColumns: Column<Authority>[] = [
  { key: 'name', label: 'Name', render: (a) => a.name },
  { key: 'type', label: 'Type', render: (a) => a.type },
  { key: 'subject', label: 'Subject', render: (a) => a.subjectDn },
  { key: 'key', label: 'Key', render: (a) => a.keyType },
  { key: 'until', label: 'Valid until', render: (a) => a.notAfter.slice(0, 10) },
];

function CreateAuthority({ authorities, done }: { authorities: Authority[]; done: () => void }) {
  const [f, setF] = useState({
    name: '',
    type: 'root',
    parentId: '',
    commonName: '',
    organization: '',
    keyType: 'ec-p256',
    validityDays: '',
    unregisteredNames: 'allow',
  });
  const set = (k: keyof typeof f) => (v: string) => setF((x) => ({ ...x, [k]: v }));
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      name: f.name,
      type: f.type,
      parentId: f.type === 'intermediate' && f.parentId ? Number(f.parentId) : undefined,
      subject: { commonName: f.commonName, ...(f.organization ? { organization: f.organization } : {}) },
      keyType: f.keyType,
      validityDays: f.validityDays ? Number(f.validityDays) : undefined,
      unregisteredNames: f.unregisteredNames,
    };
    if (await action.run(() => api('POST', '/api/v1/authorities', body))) done();
  };
  const err = (field: string) => (action.error?.field?.startsWith(field) ? action.error.message : undefined);
  return (
    <form onSubmit={submit} aria-labelledby="new-authority" className="panel">
      <h2 id="new-authority">New authority</h2>
      <TextField label="Name" value={f.name} onChange={set('name')} error={err('name')} required />
      <SelectField label="Type" value={f.type} onChange={set('type')} options={['root', 'intermediate']} />
      {f.type === 'intermediate' && (
        <SelectField
          label="Signed by"
          value={f.parentId}
          onChange={set('parentId')}
          error={err('parentId')}
          options={[
            { value: '', label: 'choose…' },
            ...authorities.map((a) => ({ value: String(a.id), label: a.name })),
          ]}
        />
      )}
      <TextField
        label="Common name"
        value={f.commonName}
        onChange={set('commonName')}
        error={err('subject')}
        required
      />
      <TextField label="Organization" value={f.organization} onChange={set('organization')} />
      <SelectField label="Key type" value={f.keyType} onChange={set('keyType')} options={[...KEY_TYPES]} />
      <TextField
        label="Validity (days)"
        value={f.validityDays}
        onChange={set('validityDays')}
        error={err('validityDays')}
        hint="empty: the default"
      />
      <SelectField
        label="Names outside registered domains"
        value={f.unregisteredNames}
        onChange={set('unregisteredNames')}
        options={[
          { value: 'allow', label: 'allow' },
          { value: 'approve', label: 'need approval' },
          { value: 'deny', label: 'refuse' },
        ]}
      />
      <ErrorNotice error={action.error} />
      <button type="submit" className="primary" disabled={action.busy}>
        Create authority
      </button>
    </form>
  );
}

const issuerColumns: Column<Issuer>[] = [
  { key: 'name', label: 'Name', render: (i) => i.name },
  { key: 'plugin', label: 'Plugin', render: (i) => i.plugin },
  { key: 'status', label: 'Status', render: (i) => (i.disabledReason ? `disabled: ${i.disabledReason}` : i.status) },
];

export function Authorities() {
  const { can } = useSession();
  const authorities = useApi<Page<Authority>>('/api/v1/authorities');
  const issuers = useApi<Page<Issuer>>('/api/v1/issuers');
  const plugins = useApi<Page<IssuerPlugin>>('/api/v1/issuers/plugins');
  return (
    <>
      <h1>Authorities and issuers</h1>
      <ErrorNotice error={authorities.error} />
      <DataTable caption="Tarsier authorities" columns={authorityColumns} rows={authorities.data?.items ?? []} />
      {can('authority:create') && (
        <CreateAuthority authorities={authorities.data?.items ?? []} done={authorities.reload} />
      )}
      <DataTable caption="External issuers" columns={issuerColumns} rows={issuers.data?.items ?? []} />
      {can('issuer:manage') && (
        <PluginInstanceForm
          noun="issuer"
          heading="Register an external issuer"
          submitLabel="Register issuer"
          endpoint="/api/v1/issuers"
          plugins={plugins.data?.items ?? []}
          done={issuers.reload}
        />
      )}
    </>
  );
}
