// Automatic rotation of one certificate on its detail page (GET/PUT /api/v1/certificates/{id}/rotation): on or
// off, how many days before expiry, when to revoke the replaced one, and how the last rotation went.
import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../lib/api.ts';
import { useSession } from '../lib/session.tsx';
import type { RotationSettings as Settings } from '../lib/types.ts';
import { useAction, useApi } from '../lib/use-api.ts';
import { CheckField, ErrorNotice, fieldError, TextField } from './form.tsx';

export function RotationSettings({ certificateId }: { certificateId: number }) {
  const { can } = useSession();
  const path = `/api/v1/certificates/${certificateId}/rotation`;
  const { data, error, reload } = useApi<Settings>(path);
  const [f, setF] = useState({ enabled: false, daysBefore: '', revokeAfterDays: '' });
  useEffect(() => {
    if (data)
      setF({
        enabled: data.enabled,
        daysBefore: String(data.daysBefore),
        revokeAfterDays: data.revokeAfterDays === null ? '' : String(data.revokeAfterDays),
      });
  }, [data]);
  const action = useAction();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      enabled: f.enabled,
      daysBefore: f.daysBefore ? Number(f.daysBefore) : undefined,
      revokeAfterDays: f.revokeAfterDays ? Number(f.revokeAfterDays) : null,
    };
    if (await action.run(() => api('PUT', path, body))) void reload();
  };
  const last = data?.lastRotation;
  return (
    <section aria-labelledby="rotation">
      <h2 id="rotation">Automatic rotation</h2>
      <ErrorNotice error={error} />
      {last && (
        <p role="status">
          Last rotation: {last.status}
          {last.newCertificateId && (
            <>
              {' '}
              → <a href={`#/certificates/${last.newCertificateId}`}>certificate {last.newCertificateId}</a>
            </>
          )}
          {last.lastError && ` (${last.attempts} attempts: ${last.lastError}; next ${last.nextAttemptAt ?? 'never'})`}
        </p>
      )}
      {can('certificate:rotate') && data && (
        <form onSubmit={save} aria-label="Automatic rotation" className="inline">
          <CheckField
            label="Rotate automatically"
            checked={f.enabled}
            onChange={(enabled) => setF({ ...f, enabled })}
          />
          <TextField
            label="Days before expiry"
            value={f.daysBefore}
            onChange={(daysBefore) => setF({ ...f, daysBefore })}
            error={fieldError(action.error, 'daysBefore')}
          />
          <TextField
            label="Revoke the replaced one after (days)"
            value={f.revokeAfterDays}
            onChange={(revokeAfterDays) => setF({ ...f, revokeAfterDays })}
            hint="empty: never"
            error={fieldError(action.error, 'revokeAfterDays')}
          />
          <button type="submit" disabled={action.busy}>
            Save rotation settings
          </button>
          <ErrorNotice error={action.error} />
        </form>
      )}
    </section>
  );
}
