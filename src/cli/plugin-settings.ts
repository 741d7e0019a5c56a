// The settings of a plugin instance (issuer, source, destination …) as the CLI takes them: --option key=value and
// --secret key=value (a value that parses as JSON is sent as JSON), or whole from JSON files; owner, description.
import type { Command } from 'commander';
import type { ClientFlags } from './client.ts';
import { defined, setting } from './options.ts';
import { type Field, print, readFile } from './output.ts';

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

type SettingsSchema = { properties?: Record<string, { description?: string }> };
export interface PluginCatalogEntry {
  type: string;
  title: string;
  description: string;
  options: SettingsSchema;
  secrets: SettingsSchema;
}

/** `tarsier <kind> plugins`: each plugin with the --option and --secret settings it takes. */
export function printPluginCatalog(plugins: PluginCatalogEntry[]): void {
  for (const p of plugins) {
    print(`${p.type}: ${p.title} — ${p.description}`);
    for (const [k, s] of Object.entries(p.options.properties ?? {})) print(`  --option ${k}=…  ${s.description ?? ''}`);
    for (const [k, s] of Object.entries(p.secrets.properties ?? {})) print(`  --secret ${k}=…  ${s.description ?? ''}`);
    print();
  }
}

/** The settings lines of `show`: each option, then the names (never values) of the secrets set. */
export function settingsFields(i: { options: Record<string, unknown>; secretsSet: string[] }): Field[] {
  return [
    ...Object.entries(i.options).map(([k, v]): Field => [`  ${k}`, typeof v === 'string' ? v : JSON.stringify(v)]),
    ['Secrets set', i.secretsSet.length ? i.secretsSet : '(none)'],
  ];
}
