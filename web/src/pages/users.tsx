// Users (create, disable), team roles (create, delete) and the caller's API keys (create: the key is shown
// once; revoke). Each section appears only to callers with its permission.
import { type FormEvent, useState } from 'react';
import { type Column, DataTable } from '../components/data-table.tsx';
import { ErrorNotice, TextField } from '../components/form.tsx';
import { api } from '../lib/api.ts';
import { useSession } from '../lib/session.tsx';
import type { ApiKey, Page, Role, User } from '../lib/types.ts';
import { useAction, useApi } from '../lib/use-api.ts';

function UsersSection() {
  const { can } = useSession();
  const users = useApi<Page<User>>('/api/v1/users');
  const [f, setF] = useState({ username: '', password: '', email: '', roles: 'user' });
  const set = (k: keyof typeof f) => (v: string) => setF((x) => ({ ...x, [k]: v }));
  const action = useAction();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      username: f.username,
      password: f.password,
      email: f.email || undefined,
      roles: f.roles.split(/[\s,]+/).filter(Boolean),
    };
    if (await action.run(() => api('POST', '/api/v1/users', body))) {
      setF({ username: '', password: '', email: '', roles: 'user' });
      await users.reload();
    }
  };
  const toggle = async (u: User) => {
    await action.run(() => api('PATCH', `/api/v1/users/${u.id}`, { disabled: !u.disabled }));
    await users.reload();
  };
  const columns: Column<User>[] = [
    { key: 'name', label: 'User', render: (u) => u.username },
    { key: 'source', label: 'Source', render: (u) => u.source },
    { key: 'roles', label: 'Roles', render: (u) => u.roles.join(', ') },
    { key: 'last', label: 'Last sign-in', render: (u) => u.lastLoginAt?.slice(0, 16).replace('T', ' ') ?? 'never' },
    {
      key: 'state',
      label: 'State',
      render: (u) =>
        can('user:manage') ? (
          <button
            type="button"
            aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.username}`}
            onClick={() => toggle(u)}
          >
            {u.disabled ? 'Enable' : 'Disable'}
          </button>
        ) : u.disabled ? (
          'disabled'
        ) : (
          'active'
        ),
    },
  ];
  return (
    <section aria-labelledby="users">
      <h2 id="users">Users</h2>
      <ErrorNotice error={users.error ?? action.error} />
      <DataTable caption="Users" columns={columns} rows={users.data?.items ?? []} />
      {can('user:manage') && (
        <form onSubmit={create} aria-labelledby="new-user" className="panel">
          <h3 id="new-user">New user</h3>
          <TextField label="User name" value={f.username} onChange={set('username')} required />
          <TextField
            label="Password"
            type="password"
            value={f.password}
            onChange={set('password')}
            hint="at least 12 characters"
            autoComplete="new-password"
            required
          />
          <TextField label="E-mail" type="email" value={f.email} onChange={set('email')} />
          <TextField
            label="Roles"
            value={f.roles}
            onChange={set('roles')}
            hint="admin, operator, user, security or a team role; comma-separated"
          />
          <button type="submit" className="primary">
            Create user
          </button>
        </form>
      )}
    </section>
  );
}

function RolesSection() {
  const { can } = useSession();
  const roles = useApi<Page<Role>>('/api/v1/roles');
  const [name, setName] = useState('');
  const action = useAction();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (await action.run(() => api('POST', '/api/v1/roles', { name }))) {
      setName('');
      await roles.reload();
    }
  };
  const remove = async (r: Role) => {
    await action.run(() => api('DELETE', `/api/v1/roles/${r.id}`));
    await roles.reload();
  };
  const columns: Column<Role>[] = [
    { key: 'name', label: 'Role', render: (r) => r.name },
    { key: 'kind', label: 'Kind', render: (r) => (r.builtin ? 'built-in' : 'team') },
    { key: 'members', label: 'Members', render: (r) => r.members.map((m) => m.username).join(', ') },
    {
      key: 'actions',
      label: 'Actions',
      render: (r) =>
        !r.builtin &&
        can('role:manage') && (
          <button type="button" aria-label={`Delete role ${r.name}`} onClick={() => remove(r)}>
            Delete
          </button>
        ),
    },
  ];
  return (
    <section aria-labelledby="roles">
      <h2 id="roles">Roles</h2>
      <ErrorNotice error={roles.error ?? action.error} />
      <DataTable caption="Roles" columns={columns} rows={roles.data?.items ?? []} />
      {can('role:manage') && (
        <form onSubmit={create} aria-labelledby="new-role" className="panel">
          <h3 id="new-role">New team role</h3>
          <TextField label="Role name" value={name} onChange={setName} hint="a team that owns certificates" required />
          <button type="submit">Create role</button>
        </form>
      )}
    </section>
  );
}

function ApiKeysSection() {
  const keys = useApi<Page<ApiKey>>('/api/v1/api-keys');
  const [name, setName] = useState('');
  const [days, setDays] = useState('90');
  const [created, setCreated] = useState('');
  const action = useAction();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const r = await action.run(() =>
      api<{ key: string }>('POST', '/api/v1/api-keys', { name, expiresInDays: days ? Number(days) : undefined }),
    );
    if (r) {
      setCreated(r.key);
      setName('');
      await keys.reload();
    }
  };
  const revoke = async (k: ApiKey) => {
    await action.run(() => api('POST', `/api/v1/api-keys/${k.id}/revoke`, {}));
    await keys.reload();
  };
  const columns: Column<ApiKey>[] = [
    { key: 'name', label: 'Name', render: (k) => k.name },
    { key: 'prefix', label: 'Starts with', render: (k) => <code>{k.prefix}</code> },
    { key: 'scopes', label: 'Scopes', render: (k) => k.scopes?.join(', ') ?? 'all of yours' },
    { key: 'expires', label: 'Expires', render: (k) => k.expiresAt?.slice(0, 10) ?? 'never' },
    {
      key: 'state',
      label: 'State',
      render: (k) =>
        k.revokedAt ? (
          'revoked'
        ) : (
          <button type="button" aria-label={`Revoke API key ${k.name}`} onClick={() => revoke(k)}>
            Revoke
          </button>
        ),
    },
  ];
  return (
    <section aria-labelledby="api-keys">
      <h2 id="api-keys">Your API keys</h2>
      <ErrorNotice error={keys.error ?? action.error} />
      <DataTable caption="API keys" columns={columns} rows={keys.data?.items ?? []} />
      <form onSubmit={create} aria-labelledby="new-key" className="panel">
        <h3 id="new-key">New API key</h3>
        <TextField label="Key name" value={name} onChange={setName} required />
        <TextField label="Expires in (days)" value={days} onChange={setDays} />
        <button type="submit">Create API key</button>
      </form>
      {created && (
        <p className="notice" role="status">
          Your new key (shown only now): <code>{created}</code>
        </p>
      )}
    </section>
  );
}

export function Users() {
  const { can } = useSession();
  return (
    <>
      <h1>Users, roles and API keys</h1>
      {can('user:read') && <UsersSection />}
      {can('user:read') && <RolesSection />}
      {can('api-key:manage') && <ApiKeysSection />}
    </>
  );
}
