// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { collectValues, type RawValues, schemaFields } from '../lib/schema-form.ts';
import { SchemaForm } from './schema-form.tsx';

const fields = schemaFields(
  {
    required: ['directoryUrl'],
    properties: {
      directoryUrl: { type: 'string', title: 'Directory URL', description: 'the ACME directory' },
      challenge: { type: 'string', enum: ['http-01', 'dns-01'] },
      retries: { type: 'integer' },
      insecure: { type: 'boolean' },
    },
  },
  false,
);

function Harness({ onValues }: { onValues: (v: RawValues) => void }) {
  const [values, setValues] = useState<RawValues>({});
  const errors = collectValues(fields, values).errors;
  return (
    <SchemaForm
      fields={fields}
      values={values}
      errors={errors}
      onChange={(v) => {
        setValues(v);
        onValues(v);
      }}
    />
  );
}

afterEach(cleanup);

describe('the schema form', () => {
  it('renders a labelled control per option, its description and its error tied to it', () => {
    let last: RawValues = {};
    render(<Harness onValues={(v) => (last = v)} />);
    const url = screen.getByLabelText('Directory URL (required)') as HTMLInputElement;
    expect(url.getAttribute('aria-invalid')).toBe('true');
    const described = url.getAttribute('aria-describedby')?.split(' ') ?? [];
    expect(described.map((id) => document.getElementById(id)?.textContent)).toEqual([
      'the ACME directory',
      'Directory URL is required',
    ]);
    fireEvent.change(url, { target: { value: 'https://acme.test/dir' } });
    expect(url.getAttribute('aria-invalid')).toBeNull();
    fireEvent.change(screen.getByLabelText('challenge'), { target: { value: 'dns-01' } });
    fireEvent.change(screen.getByLabelText('retries'), { target: { value: '2' } });
    fireEvent.click(screen.getByLabelText('insecure'));
    expect(collectValues(fields, last).value).toEqual({
      directoryUrl: 'https://acme.test/dir',
      challenge: 'dns-01',
      retries: 2,
      insecure: true,
    });
  });
});
