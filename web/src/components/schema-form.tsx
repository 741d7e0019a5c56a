// Renders a plugin's options from its JSON Schema (see lib/schema-form.ts): one labelled control per property.
import type { RawValues, SchemaField } from '../lib/schema-form.ts';
import { Field } from './form.tsx';

interface Props {
  fields: SchemaField[];
  values: RawValues;
  errors: Record<string, string>;
  onChange: (values: RawValues) => void;
}

export function SchemaForm({ fields, values, errors, onChange }: Props) {
  const set = (name: string, v: string | boolean) => onChange({ ...values, [name]: v });
  if (fields.length === 0) return <p className="hint">No options.</p>;
  return (
    <>
      {fields.map((f) => {
        const label = `${f.label}${f.required ? ' (required)' : ''}`;
        if (f.kind === 'boolean') {
          return (
            <label key={f.name} className="check">
              <input
                type="checkbox"
                checked={values[f.name] === true}
                onChange={(e) => set(f.name, e.target.checked)}
              />{' '}
              {label}
              {f.description && <small className="hint"> — {f.description}</small>}
            </label>
          );
        }
        const raw = typeof values[f.name] === 'string' ? (values[f.name] as string) : '';
        return (
          <Field key={f.name} label={label} hint={f.description} error={errors[f.name]}>
            {(p) =>
              f.kind === 'select' ? (
                <select {...p} value={raw} onChange={(e) => set(f.name, e.target.value)}>
                  <option value="">{f.required ? 'choose…' : '(default)'}</option>
                  {f.choices?.map((c) => (
                    <option key={c}>{c}</option>
                  ))}
                </select>
              ) : f.kind === 'json' || f.kind === 'list' ? (
                <textarea
                  {...p}
                  rows={3}
                  value={raw}
                  placeholder={f.kind === 'list' ? 'one per line' : '{ }'}
                  onChange={(e) => set(f.name, e.target.value)}
                />
              ) : (
                <input
                  {...p}
                  type={f.kind === 'password' ? 'password' : f.kind === 'number' ? 'number' : 'text'}
                  autoComplete={f.kind === 'password' ? 'new-password' : 'off'}
                  value={raw}
                  onChange={(e) => set(f.name, e.target.value)}
                />
              )
            }
          </Field>
        );
      })}
    </>
  );
}
