// @vitest-environment happy-dom
// The create/edit form of a configured plugin. The server is replaced by a recorder of what fetch was asked to
// send (the body is the unit under test here; test/web.test.ts drives the same form against a real Tarsier).
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PluginDescription } from '../lib/types.ts';
import { PluginInstanceForm } from './plugin-instance-form.tsx';

const plugins: PluginDescription[] = [
  {
    type: 'sftp',
    title: 'SFTP',
    description: 'files over SSH',
    options: {
      required: ['host', 'path'],
      properties: { host: { type: 'string' }, path: { type: 'string' }, port: { type: 'integer' } },
    },
    secrets: { properties: { password: { type: 'string' } } },
  },
];

function recordRequests() {
  const sent: Array<{ method: string; url: string; body: unknown }> = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      sent.push({ method: init.method!, url, body: JSON.parse(String(init.body)) });
      return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
    }),
  );
  return sent;
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('the plugin instance form', () => {
  it('creates with the name, the plugin and typed settings, and checks required ones first', async () => {
    const sent = recordRequests();
    const done = vi.fn();
    render(
      <PluginInstanceForm
        noun="destination"
        heading="New destination"
        submitLabel="Create destination"
        endpoint="/api/v1/destinations"
        plugins={plugins}
        done={done}
      />,
    );
    fireEvent.change(screen.getByLabelText('Destination name'), { target: { value: 'web2' } });
    fireEvent.change(screen.getByLabelText('Plugin'), { target: { value: 'sftp' } });
    fireEvent.change(screen.getByLabelText('host (required)'), { target: { value: 'web2.internal' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create destination' }));
    await screen.findByText('path is required');
    expect(sent).toEqual([]);
    fireEvent.change(screen.getByLabelText('path (required)'), { target: { value: '/etc/ssl' } });
    fireEvent.change(screen.getByLabelText('port'), { target: { value: '2222' } });
    fireEvent.change(screen.getByLabelText('password'), { target: { value: 's3cret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create destination' }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(sent).toEqual([
      {
        method: 'POST',
        url: '/api/v1/destinations',
        body: {
          name: 'web2',
          plugin: 'sftp',
          options: { host: 'web2.internal', path: '/etc/ssl', port: 2222 },
          secrets: { password: 's3cret' },
        },
      },
    ]);
  });

  it('edits starting from the saved settings, and an empty credential field keeps the saved one', async () => {
    const sent = recordRequests();
    const done = vi.fn();
    const editing = {
      id: 7,
      name: 'web2',
      plugin: 'sftp',
      options: { host: 'web2.internal', path: '/etc/ssl', port: 22 },
      secretsSet: ['password'],
    };
    render(
      <PluginInstanceForm
        noun="destination"
        heading="Edit web2"
        submitLabel="Save changes"
        endpoint="/api/v1/destinations"
        plugins={plugins}
        editing={editing}
        done={done}
      />,
    );
    expect(screen.queryByLabelText('Destination name')).toBeNull();
    expect((screen.getByLabelText('host (required)') as HTMLInputElement).value).toBe('web2.internal');
    fireEvent.change(screen.getByLabelText('port'), { target: { value: '2200' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(sent).toEqual([
      {
        method: 'PATCH',
        url: '/api/v1/destinations/7',
        body: { options: { host: 'web2.internal', path: '/etc/ssl', port: 2200 } },
      },
    ]);
  });
});
