// Request a certificate in five steps: who signs it, its names (suggested from registered domains, checked as
// typed, with a notice when a name needs approval), where to deploy it, options (an advanced panel renders the chosen issuer's own
// options from its schema), then review and send. Each step is a form, so Enter moves on.
import { type FormEvent, useId, useMemo, useRef, useState } from 'react';
import { DestinationPicker } from '../components/destination-picker.tsx';
import { ErrorNotice, Field, SelectField, TextField } from '../components/form.tsx';
import { SchemaForm } from '../components/schema-form.tsx';
import { api } from '../lib/api.ts';
import { suggestNames } from '../lib/names.ts';
import {
  issueBody,
  NEW_REQUEST,
  nameChecks,
  needsApproval,
  parseSource,
  type RequestState,
  STEPS,
  stepErrors,
} from '../lib/request.ts';
import { navigate } from '../lib/router.ts';
import { schemaFields } from '../lib/schema-form.ts';
import { useSession } from '../lib/session.tsx';
import {
  type Authority,
  type Destination,
  type Domain,
  type Issuer,
  type IssuerPlugin,
  KEY_TYPES,
  type Page,
  SIGNATURE_HASHES,
} from '../lib/types.ts';
import { useAction, useApi } from '../lib/use-api.ts';

function NamesStep({
  s,
  set,
  domains,
  authority,
  error,
}: StepProps & { domains: Domain[]; authority?: Authority; error?: string }) {
  const [text, setText] = useState('');
  const listId = useId();
  const input = useRef<HTMLInputElement>(null);
  const checks = nameChecks(s, domains, authority);
  const add = () => {
    const name = text.trim().toLowerCase();
    if (name && !s.names.includes(name)) set({ names: [...s.names, name] });
    setText('');
    input.current?.focus();
  };
  return (
    <>
      <Field
        label="Name to add"
        hint="press Enter to add it; suggestions come from the registered domains"
        error={error}
      >
        {(p) => (
          <input
            {...p}
            ref={input}
            list={listId}
            value={text}
            autoComplete="off"
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && text.trim()) {
                e.preventDefault();
                add();
              }
            }}
          />
        )}
      </Field>
      <datalist id={listId}>
        {suggestNames(text, domains).map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      <button type="button" onClick={add} disabled={!text.trim()}>
        Add name
      </button>
      <ul className="names" aria-label="Names in the certificate">
        {s.names.map((n, i) => (
          <li key={n} className={checks[i]!.level}>
            <span>{n}</span> <small>{checks[i]!.message}</small>{' '}
            <button
              type="button"
              aria-label={`Remove ${n}`}
              onClick={() => set({ names: s.names.filter((x) => x !== n) })}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      {needsApproval(checks) && (
        <p className="notice" role="status">
          This request will wait for a security reviewer's approval before it is issued.
        </p>
      )}
    </>
  );
}

interface StepProps {
  s: RequestState;
  set: (change: Partial<RequestState>) => void;
}

function OptionsStep({
  s,
  set,
  errors,
  plugin,
  approval,
}: StepProps & { errors: Record<string, string>; plugin?: IssuerPlugin; approval: boolean }) {
  const fields = schemaFields(plugin?.requestOptions);
  return (
    <>
      <SelectField
        label="Key type"
        value={s.keyType}
        onChange={(v) => set({ keyType: v })}
        options={[...KEY_TYPES]}
        error={errors.keyType}
      />
      <TextField
        label="Validity (days)"
        value={s.validityDays}
        onChange={(v) => set({ validityDays: v })}
        hint="empty: the authority's default"
        error={errors.validityDays}
      />
      <TextField label="Owner" value={s.owner} onChange={(v) => set({ owner: v })} hint="a team or an e-mail address" />
      <label className="check">
        <input type="checkbox" checked={s.notify} onChange={(e) => set({ notify: e.target.checked })} /> Send expiry
        notifications
      </label>
      {approval && (
        <TextField label="Why it is needed (for the reviewer)" value={s.reason} onChange={(v) => set({ reason: v })} />
      )}
      <details>
        <summary>Advanced</summary>
        {plugin ? (
          <SchemaForm
            fields={fields}
            values={s.issuerOptions}
            errors={errors}
            onChange={(v) => set({ issuerOptions: v })}
          />
        ) : (
          <>
            <SelectField
              label="Signature hash"
              value={s.signatureHash}
              onChange={(v) => set({ signatureHash: v })}
              options={['', ...SIGNATURE_HASHES]}
            />
            <TextField
              label="Extended key usages"
              value={s.extendedKeyUsages}
              onChange={(v) => set({ extendedKeyUsages: v })}
              hint="default serverAuth; e.g. serverAuth clientAuth, or an OID"
            />
          </>
        )}
      </details>
    </>
  );
}

export function RequestWizard() {
  const [step, setStep] = useState(0);
  const [s, setS] = useState<RequestState>(NEW_REQUEST);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [held, setHeld] = useState('');
  const set = (change: Partial<RequestState>) => setS((x) => ({ ...x, ...change }));
  const authorities = useApi<Page<Authority>>('/api/v1/authorities').data?.items ?? [];
  const issuers = useApi<Page<Issuer>>('/api/v1/issuers').data?.items ?? [];
  const plugins = useApi<Page<IssuerPlugin>>('/api/v1/issuers/plugins').data?.items ?? [];
  const domains = useApi<Page<Domain>>('/api/v1/domains').data?.items ?? [];
  const { can } = useSession();
  const destinations =
    useApi<Page<Destination>>(can('destination:read') ? '/api/v1/destinations' : undefined).data?.items ?? [];
  const source = parseSource(s.source);
  const authority = source?.kind === 'authority' ? authorities.find((a) => a.id === source.id) : undefined;
  const issuer = source?.kind === 'issuer' ? issuers.find((i) => i.id === source.id) : undefined;
  const plugin = plugins.find((p) => p.type === issuer?.plugin);
  const requestFields = useMemo(() => schemaFields(plugin?.requestOptions), [plugin]);
  const approval = needsApproval(nameChecks(s, domains, authority));
  const action = useAction();
  const next = async (e: FormEvent) => {
    e.preventDefault();
    const found = stepErrors(step, s, { domains, authority, requestFields });
    setErrors(found);
    if (Object.keys(found).length) return;
    if (step < STEPS.length - 1) return setStep(step + 1);
    const reply = await action.run(() =>
      api<{ id?: number; status?: string; request?: { id: number }; pendingCertificate?: { id: number } }>(
        'POST',
        '/api/v1/certificates',
        issueBody(s, requestFields),
      ),
    );
    if (reply?.id) navigate(`/certificates/${reply.id}`);
    else if (reply?.status === 'pending-approval') setHeld(`Request ${reply.request?.id} is waiting for approval.`);
    else if (reply?.status === 'pending-issuance')
      setHeld(`The issuer is working on it (pending certificate ${reply.pendingCertificate?.id}).`);
  };
  const sources = [
    { value: '', label: 'choose…' },
    ...authorities.map((a) => ({ value: `authority:${a.id}`, label: `${a.name} (Tarsier ${a.type})` })),
    ...issuers
      .filter((i) => i.status === 'ready')
      .map((i) => ({ value: `issuer:${i.id}`, label: `${i.name} (${i.plugin})` })),
  ];
  if (held)
    return (
      <p className="notice" role="status">
        {held} See <a href="#/approvals">Approvals</a>.
      </p>
    );
  return (
    <>
      <h1>Request a certificate</h1>
      <ol className="steps" aria-label="Steps">
        {STEPS.map((name, i) => (
          <li key={name} aria-current={i === step ? 'step' : undefined}>
            {name}
          </li>
        ))}
      </ol>
      <form onSubmit={next} aria-label={`Step ${step + 1} of ${STEPS.length}: ${STEPS[step]}`}>
        <h2>{STEPS[step]}</h2>
        {step === 0 && (
          <SelectField
            label="Authority or issuer"
            value={s.source}
            onChange={(v) => set({ source: v, issuerOptions: {} })}
            options={sources}
            error={errors.source}
          />
        )}
        {step === 1 && <NamesStep s={s} set={set} domains={domains} authority={authority} error={errors.names} />}
        {STEPS[step] === 'Destinations' && (
          <DestinationPicker
            legend="Deploy it to (optional)"
            destinations={destinations}
            chosen={s.destinations}
            onChange={(ids) => set({ destinations: ids })}
          />
        )}
        {STEPS[step] === 'Options' && (
          <OptionsStep s={s} set={set} errors={errors} plugin={plugin} approval={approval} />
        )}
        {STEPS[step] === 'Review' && (
          <>
            <p>This is what will be sent:</p>
            <pre className="review">{JSON.stringify(issueBody(s, requestFields), null, 2)}</pre>
          </>
        )}
        <ErrorNotice error={action.error} />
        <div className="actions">
          {step > 0 && (
            <button type="button" onClick={() => setStep(step - 1)}>
              Back
            </button>
          )}
          <button type="submit" className="primary" disabled={action.busy}>
            {step < STEPS.length - 1 ? 'Next' : approval ? 'Send for approval' : 'Request certificate'}
          </button>
        </div>
      </form>
    </>
  );
}
