// Regenerates the settings table of docs/configuration.md from src/config.ts (test/api.test.ts checks they
// agree). Run: node --import tsx scripts/gen-config-docs.ts
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SETTINGS, type Setting } from '../src/config.ts';

const file = new URL('../docs/configuration.md', import.meta.url);
const doc = fs.readFileSync(file, 'utf8');
const start = doc.indexOf('| Setting');
const end = doc.indexOf('\n\n', start);
const cell = (s: string) => s.replace(/\|/g, '\\|');
const defaultOf = (name: string, s: Setting) =>
  name === 'tokenFile' ? '`~/.config/tarsier/token`' : s.default ? `\`${s.default}\`` : '';
const rows = Object.entries(SETTINGS as Record<string, Setting>).map(
  ([name, s]) =>
    `| ${name} | \`${s.env}\` | ${s.flag ? `\`${s.flag}\`` : ''} | ${defaultOf(name, s)} | ${cell(s.description)} |`,
);
const table = ['| Setting | Environment | Flag | Default | Meaning |', '|---|---|---|---|---|', ...rows].join('\n');
fs.writeFileSync(file, doc.slice(0, start) + table + doc.slice(end));
// The formatter pads the table, as `npm test` expects.
execFileSync('npx', ['biome', 'format', '--write', fileURLToPath(file)], { stdio: 'inherit' });
