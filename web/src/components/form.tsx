// Labelled form controls: every input has a visible label, its hint and its error tied to it with
// aria-describedby, so screen readers announce what the field is and what is wrong with it.
import { type ReactNode, useId } from 'react';
import type { ApiError } from '../lib/api.ts';

interface FieldProps {
  label: string;
  hint?: string;
  error?: string;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}

export function Field({ label, hint, error, children }: FieldProps) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': described || undefined, 'aria-invalid': error ? true : undefined })}
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} className="error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

interface TextFieldProps {
  label: string;
  value: string;
  onChange: (v: string) => void;
  hint?: string;
  error?: string;
  type?: string;
  required?: boolean;
  placeholder?: string;
  autoComplete?: string;
}

export function TextField({ label, value, onChange, hint, error, type = 'text', ...rest }: TextFieldProps) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(p) => <input {...p} {...rest} type={type} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

interface SelectFieldProps {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: Array<string | { value: string; label: string }>;
  hint?: string;
  error?: string;
}

export function SelectField({ label, value, onChange, options, hint, error }: SelectFieldProps) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
          {options.map((o) => {
            const { value: v, label: l } = typeof o === 'string' ? { value: o, label: o || '(any)' } : o;
            return (
              <option key={v} value={v}>
                {l}
              </option>
            );
          })}
        </select>
      )}
    </Field>
  );
}

export function CheckField({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
}) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} /> {label}
    </label>
  );
}

/** An API error as the user should read it: the server's message, which names the field and the fix. */
export function ErrorNotice({ error }: { error?: ApiError }) {
  if (!error) return null;
  return (
    <p className="notice error" role="alert">
      {error.message}
    </p>
  );
}

export function fieldError(error: ApiError | undefined, field: string): string | undefined {
  return error?.field === field || error?.field?.startsWith(`${field}.`) || error?.field?.startsWith(`${field}[`)
    ? error.message
    : undefined;
}
