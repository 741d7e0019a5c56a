// One certificate: its fields, names, fingerprints, chain, extensions and audit trail; downloads (the key only
// for callers with certificate:read-key, and only when Tarsier holds it), rotate, revoke with a reason;
// automatic rotation, deployments and the endpoints that showed it.
import { type FormEvent, useState } from 'react';
import { CertificateEndpoints } from '../components/certificate-endpoints.tsx';
import { Deployments } from '../components/deployments.tsx';
import { ErrorNotice, SelectField, TextField } from '../components/form.tsx';
import { RotationSettings } from '../components/rotation-settings.tsx';
import { api, apiFile, saveFile } from '../lib/api.ts';
import { navigate } from '../lib/router.ts';
import { useSession } from '../lib/session.tsx';
import { type CertificateDetail as Detail, REVOCATION_REASONS } from '../lib/types.ts';
import { useAction, useApi } from '../lib/use-api.ts';

function Downloads({ cert }: { cert: Detail }) {
  const { can } = useSession();
  const [password, setPassword] = useState('');
  const action = useAction();
  const withKey = cert.hasKey && can('certificate:read-key');
  const exportFile = (body: object) =>
    action.run(async () => saveFile(await apiFile(`/api/v1/certificates/${cert.id}/export`, body)));
  const pkcs12 = (e: FormEvent) => {
    e.preventDefault();
    void exportFile({
      format: 'pkcs12',
      password,
      include: withKey ? ['certificate', 'chain', 'key'] : ['certificate', 'chain'],
    });
  };
  return (
    <section aria-labelledby="downloads">
      <h2 id="downloads">Download</h2>
      <div className="actions">
        <button type="button" onClick={() => exportFile({ format: 'pem', include: ['certificate'] })}>
          Certificate (PEM)
        </button>
        <button type="button" onClick={() => exportFile({ format: 'pem', include: ['certificate', 'chain'] })}>
          Certificate and chain (PEM)
        </button>
        {withKey && (
          <button type="button" onClick={() => exportFile({ format: 'pem', include: ['key'] })}>
            Private key only (PEM)
          </button>
        )}
      </div>
      <form onSubmit={pkcs12} aria-label="Download PKCS#12" className="inline">
        <TextField
          label="PKCS#12 password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          hint={withKey ? 'protects the file and the private key in it' : 'the file holds the certificate and chain'}
        />
        <button type="submit">{withKey ? 'Download PKCS#12 with key' : 'Download PKCS#12'}</button>
      </form>
      <ErrorNotice error={action.error} />
    </section>
  );
}

function Actions({ cert, reload }: { cert: Detail; reload: () => void }) {
  const { can } = useSession();
  const [reason, setReason] = useState('unspecified');
  const action = useAction();
  const rotate = async () => {
    const next = await action.run(() => api<{ id: number }>('POST', `/api/v1/certificates/${cert.id}/rotate`, {}));
    if (next?.id) navigate(`/certificates/${next.id}`);
  };
  const revoke = async (e: FormEvent) => {
    e.preventDefault();
    if (await action.run(() => api('POST', `/api/v1/certificates/${cert.id}/revoke`, { reason }))) reload();
  };
  if (cert.revokedAt) return null;
  return (
    <section aria-labelledby="actions">
      <h2 id="actions">Actions</h2>
      {can('certificate:rotate') && !cert.replacedById && (
        <button type="button" onClick={rotate} disabled={action.busy}>
          Rotate (new key, same names)
        </button>
      )}
      {can('certificate:revoke') && (
        <form onSubmit={revoke} aria-label="Revoke" className="inline">
          <SelectField
            label="Revocation reason"
            value={reason}
            onChange={setReason}
            options={[...REVOCATION_REASONS]}
          />
          <button type="submit" className="danger" disabled={action.busy}>
            Revoke
          </button>
        </form>
      )}
      <ErrorNotice error={action.error} />
    </section>
  );
}

export function CertificateDetail({ id }: { id: string }) {
  const { data: c, error, reload } = useApi<Detail>(`/api/v1/certificates/${id}`);
  if (error) return <ErrorNotice error={error} />;
  if (!c) return <p>Loading…</p>;
  const names = [...c.sans.dns, ...c.sans.ip, ...c.sans.email, ...c.sans.uri];
  const fields: Array<[string, string]> = [
    ['Status', c.revokedAt ? `revoked (${c.revocationReason})` : c.status],
    ['Subject', c.subjectDn],
    ['Issuer', c.issuerDn],
    ['Names', names.join(', ')],
    ['Valid from', c.notBefore],
    ['Valid until', c.notAfter],
    ['Key type', c.keyType],
    ['Signature', c.signatureAlgorithm],
    ['Serial', c.serial],
    ['SHA-256 fingerprint', c.fingerprintSha256],
    ['SHA-1 fingerprint', c.fingerprintSha1],
    ['Key usages', [...c.keyUsages, ...c.extendedKeyUsages].join(', ')],
    ['Owner', c.owner ?? ''],
    ['Notify', c.notify ? 'on' : 'off'],
    ['Private key held', c.hasKey ? 'yes (encrypted)' : 'no'],
  ];
  return (
    <>
      <h1>{c.commonName ?? `Certificate ${c.id}`}</h1>
      {c.replacedById && (
        <p className="notice">
          Replaced by <a href={`#/certificates/${c.replacedById}`}>certificate {c.replacedById}</a>.
        </p>
      )}
      <dl className="fields">
        {fields.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <Downloads cert={c} />
      <Actions cert={c} reload={reload} />
      {!c.revokedAt && !c.replacedById && <RotationSettings certificateId={c.id} />}
      <Deployments certificateId={c.id} />
      <CertificateEndpoints certificateId={c.id} />
      <section aria-labelledby="chain">
        <h2 id="chain">Chain</h2>
        <ol>
          {c.chain.map((x) => (
            <li key={x.fingerprintSha256}>
              {x.subjectDn} <small className="hint">until {x.notAfter.slice(0, 10)}</small>
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="extensions">
        <h2 id="extensions">Extensions</h2>
        <dl className="fields">
          {c.extensions.map((x) => (
            <div key={x.oid}>
              <dt>
                {x.name}
                {x.critical ? ' (critical)' : ''}
              </dt>
              <dd>{x.value}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section aria-labelledby="trail">
        <h2 id="trail">Audit trail</h2>
        <ul className="trail">
          {c.events.map((e, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the trail is append-only and always rendered whole
            <li key={`${e.at}-${i}`}>
              <time dateTime={e.at}>{e.at.replace('T', ' ').slice(0, 19)}</time> {e.actor} <strong>{e.action}</strong>{' '}
              {e.outcome !== 'success' && <span className="status revoked">{e.outcome}</span>}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
