// Plugin settings on the command line, shared by every plugin noun (issuer, destination, …): --option key=value and
// --secret key=value (a value that parses as JSON is sent as JSON), or whole from JSON files.
import type { Command } from 'commander';
import type { ApiClient, ClientFlags } from './client.ts';
import { defined, resolveId, setting } from './options.ts';
import { type Field, print, printJson, readFile } from './output.ts';

export interface SettingsFlags extends ClientFlags {
  option?: Record<string, unknown>;
  secret?: Record<string, unknown>;
  optionsFile?: string;
  secretsFile?: string;
  owner?: string;
  description?: string;
}

function jsonFile(file: string | undefined, what: string): Record<string, unknown> | undefined {
  if (!file) return undefined;
  try {
    return JSON.parse(readFile(file, what).toString('utf8'));
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message})`);
  }
}

export function settings(flags: SettingsFlags) {
  const options = { ...jsonFile(flags.optionsFile, 'options'), ...flags.option };
  const secrets = { ...jsonFile(flags.secretsFile, 'secrets'), ...flags.secret };
  return defined({
    options: Object.keys(options).length ? options : undefined,
    secrets: Object.keys(secrets).length ? secrets : undefined,
    owner: flags.owner,
    description: flags.description,
  });
}

export const withSettings = (c: Command) =>
  c
    .option('--option <key=value>', 'a plugin setting; repeat for several', setting)
    .option('--secret <key=value>', 'a credential (stored encrypted, never shown); repeat for several', setting)
    .option('--options-file <file>', 'plugin settings as a JSON object')
    .option('--secrets-file <file>', 'credentials as a JSON object')
    .option('--owner <owner>', 'a team or an e-mail address')
    .option('--description <text>', 'free text');

export interface PluginDescription {
  type: string;
  title: string;
  description: string;
  options: { properties?: Record<string, { description?: string }> };
  secrets: { properties?: Record<string, { description?: string }> };
}

/** Lists plugins with the --option and --secret flags each takes. */
export function printPlugins(flags: ClientFlags, body: { items: PluginDescription[] }): void {
  if (flags.json) {
    printJson(body);
    return;
  }
  for (const p of body.items) {
    print(`${p.type}: ${p.title} — ${p.description}`);
    for (const [k, s] of Object.entries(p.options.properties ?? {})) print(`  --option ${k}=…  ${s.description ?? ''}`);
    for (const [k, s] of Object.entries(p.secrets.properties ?? {})) print(`  --secret ${k}=…  ${s.description ?? ''}`);
    print();
  }
}

/** The settings of an instance as printFields rows: each option indented, secrets by name only. */
export function settingFields(i: { options: Record<string, unknown>; secretsSet: string[] }): Field[] {
  return [
    ...Object.entries(i.options).map(([k, v]): Field => [`  ${k}`, typeof v === 'string' ? v : JSON.stringify(v)]),
    ['Secrets set', i.secretsSet.length ? i.secretsSet : '(none)'],
  ];
}

/** What the API shows of every plugin instance; each noun's type adds its own fields. */
export interface InstanceView {
  id: number;
  name: string;
  plugin: string;
  options: Record<string, unknown>;
  secretsSet: string[];
  owner: string | null;
  description: string | null;
  createdAt: string;
}

/** The rows every instance prints, with the noun's own rows after Plugin, after the settings and at the end. */
export function instanceFields(
  i: InstanceView,
  own: { afterPlugin?: Field[]; afterSettings?: Field[]; end: Field[] },
): Field[] {
  return [
    ['ID', i.id],
    ['Name', i.name],
    ['Plugin', i.plugin],
    ...(own.afterPlugin ?? []),
    ...settingFields(i),
    ...(own.afterSettings ?? []),
    ['Owner', i.owner],
    ['Description', i.description],
    ...own.end,
  ];
}

/** Finds an instance of a plugin noun (`issuer`, `destination`) by id or name. */
export const resolveInstance = <T extends { id: number; name: string }>(
  client: ApiClient,
  ref: number | string,
  noun: string,
) =>
  resolveId<T>(client, ref, {
    path: `/api/v1/${noun}s`,
    kind: noun,
    name: (i) => i.name,
    hint: `tarsier ${noun} list`,
  });

/** Prints what a change returned: JSON, or a headline and the instance. */
export function reportInstance<T>(flags: ClientFlags, value: T, headline: string, show: (v: T) => void): void {
  if (flags.json) printJson(value);
  else {
    print(headline);
    show(value);
  }
}
