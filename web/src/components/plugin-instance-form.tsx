// Creates or edits a configured plugin (an external issuer, a destination, later sources and notification
// channels): its name, its plugin, and settings and credentials rendered from the plugin's own schemas, so a new
// plugin or option needs no UI change. Every kind takes the same body ({name, plugin, options, secrets}).
import { type FormEvent, useMemo, useState } from 'react';
import { api } from '../lib/api.ts';
import { collectValues, type RawValues, rawValues, schemaFields } from '../lib/schema-form.ts';
import type { PluginDescription, PluginInstance } from '../lib/types.ts';
import { useAction } from '../lib/use-api.ts';
import { CheckField, ErrorNotice, SelectField, TextField } from './form.tsx';
import { SchemaForm } from './schema-form.tsx';

interface Props {
  /** e.g. `issuer`: names the fields, headings and buttons. */
  noun: string;
  heading: string;
  submitLabel: string;
  /** The collection: POST here to create, PATCH `${endpoint}/{id}` to edit. */
  endpoint: string;
  plugins: PluginDescription[];
  /** Edit this one instead of creating. */
  editing?: PluginInstance;
  /** Yes/no settings of the instance itself (not of its plugin), sent beside name and plugin on create. */
  flags?: Array<{ name: string; label: string }>;
  done: () => void;
}

export function PluginInstanceForm(props: Props) {
  const { noun, heading, submitLabel, endpoint, plugins, editing, flags = [], done } = props;
  const [name, setName] = useState(editing?.name ?? '');
  const [type, setType] = useState(editing?.plugin ?? '');
  const plugin = plugins.find((p) => p.type === type);
  const optionFields = useMemo(() => schemaFields(plugin?.options), [plugin]);
  // Saved credentials are never shown: on edit an empty field keeps the one that is set.
  const secretFields = useMemo(
    () =>
      schemaFields(plugin?.secrets, true).map((f) =>
        editing?.secretsSet.includes(f.name) ? { ...f, required: false, description: 'set; empty keeps it' } : f,
      ),
    [plugin, editing],
  );
  const [options, setOptions] = useState<RawValues>(() => rawValues(optionFields, editing?.options ?? {}));
  const [secrets, setSecrets] = useState<RawValues>({});
  const [flagValues, setFlagValues] = useState<Record<string, boolean>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const o = collectValues(optionFields, options);
    const s = collectValues(secretFields, secrets);
    setErrors({ ...o.errors, ...s.errors });
    if (Object.keys(o.errors).length + Object.keys(s.errors).length) return;
    const secretsValue = Object.keys(s.value).length ? s.value : undefined;
    const sent = editing
      ? api('PATCH', `${endpoint}/${editing.id}`, { options: o.value, secrets: secretsValue })
      : api('POST', endpoint, { name, plugin: type, options: o.value, secrets: secretsValue, ...flagValues });
    if (await action.run(() => sent)) done();
  };
  const id = `${noun}-form`;
  return (
    <form onSubmit={submit} aria-labelledby={id} className="panel">
      <h2 id={id}>{heading}</h2>
      {!editing && (
        <>
          <TextField
            label={`${noun[0]!.toUpperCase()}${noun.slice(1)} name`}
            value={name}
            onChange={setName}
            error={action.error?.field === 'name' ? action.error.message : undefined}
            required
          />
          <SelectField
            label="Plugin"
            value={type}
            onChange={(v) => {
              setType(v);
              setOptions({});
              setSecrets({});
            }}
            options={[
              { value: '', label: 'choose…' },
              ...plugins.map((p) => ({ value: p.type, label: p.title ?? p.type })),
            ]}
          />
        </>
      )}
      {plugin && (
        <>
          <p className="hint">{plugin.description}</p>
          <fieldset>
            <legend>Settings</legend>
            <SchemaForm fields={optionFields} values={options} errors={errors} onChange={setOptions} />
          </fieldset>
          <fieldset>
            <legend>Credentials (stored encrypted, never shown again)</legend>
            <SchemaForm fields={secretFields} values={secrets} errors={errors} onChange={setSecrets} />
          </fieldset>
          {!editing &&
            flags.map((f) => (
              <CheckField
                key={f.name}
                label={f.label}
                checked={flagValues[f.name] === true}
                onChange={(v) => setFlagValues((x) => ({ ...x, [f.name]: v }))}
              />
            ))}
        </>
      )}
      <ErrorNotice error={action.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={action.busy || !plugin}>
          {submitLabel}
        </button>
        {editing && (
          <button type="button" onClick={done}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
