// `tarsier issuer plugins|list|show|add|set|check|chain|remove`: external issuers (ACME, CFSSL) through /api/v1/issuers.
// Settings are given as --option key=value and --secret key=value (a value that parses as JSON is sent as
// JSON, so --option termsOfServiceAgreed=true is a boolean), or whole from a JSON file.
import type { Command } from 'commander';
import { type ApiClient, type ClientFlags, connect, withClientOptions } from './client.ts';
import { idOrName } from './options.ts';
import { formatTime, printFields, writeFile } from './output.ts';
import { registerInstanceCommands } from './plugin-instances.ts';
import { type InstanceView, instanceFields, reportInstance } from './plugin-settings.ts';

interface Issuer extends InstanceView {
  status: 'ready' | 'disabled';
  disabledReason: string | null;
  checkedAt: string | null;
  canRevoke: boolean;
}

function printIssuer(i: Issuer): void {
  printFields(
    instanceFields(i, {
      afterPlugin: [['Status', status(i)]],
      afterSettings: [['Can revoke', i.canRevoke ? 'yes' : 'no']],
      end: [
        ['Checked', formatTime(i.checkedAt)],
        ['Created', formatTime(i.createdAt)],
      ],
    }),
  );
}

const status = (i: Issuer) => (i.status === 'ready' ? 'ready' : `disabled: ${i.disabledReason}`);

export function registerIssuerCommands(program: Command): void {
  registerInstanceCommands<Issuer>(program, {
    noun: 'issuer',
    description: 'external issuers: ACME CAs (Let’s Encrypt, …) and CFSSL',
    verbs: { add: ['add', 'added'], set: ['set', 'updated'], remove: ['remove', 'removed'] },
    list: {
      description: 'list external issuers',
      empty: 'no issuers; add one with `tarsier issuer add NAME --plugin acme …`',
      columns: ['ID', 'NAME', 'PLUGIN', 'STATUS', 'OWNER'],
      row: (i) => [i.id, i.name, i.plugin, status(i), i.owner],
    },
    show: printIssuer,
    add: {
      description: 'register an issuer; its settings are proven first (the CA is contacted)',
      example: 'letsencrypt',
      plugins: 'acme or cfssl (see tarsier issuer plugins)',
    },
    setDescription: 'change settings or replace credentials (proven again)',
    removeDescription: 'delete an issuer no certificate names',
    more: (issuer, resolveIssuer) => registerIssuerChecks(issuer, resolveIssuer),
  });
}

/** `issuer check` and `issuer chain`: what only issuers do. */
function registerIssuerChecks(
  issuer: Command,
  resolveIssuer: (client: ApiClient, ref: number | string) => Promise<{ id: number }>,
) {
  withClientOptions(
    issuer.command('check').description('prove the stored settings again').argument('<issuer>', 'id or name', idOrName),
  ).action(async (ref: number | string, flags: ClientFlags) => {
    const client = connect(flags);
    const { id } = await resolveIssuer(client, ref);
    const reply = await client.json<Issuer>('POST', `/api/v1/issuers/${id}/check`);
    const headline = reply.body.status === 'ready' ? `issuer ${id} works` : `issuer ${id} is disabled`;
    reportInstance(flags, reply.body, headline, printIssuer);
    if (reply.body.status !== 'ready') process.exitCode = 1;
  });

  withClientOptions(
    issuer
      .command('chain')
      .description("print the issuer's CA chain (PEM, its CA certificate first)")
      .argument('<issuer>', 'id or name', idOrName)
      .option('-o, --out <file>', 'write the chain to this file instead of standard output'),
  ).action(async (ref: number | string, flags: ClientFlags & { out?: string }) => {
    const client = connect(flags);
    const { id } = await resolveIssuer(client, ref);
    writeFile(flags.out ?? '-', await client.bytes('GET', `/api/v1/issuers/${id}/chain`));
    if (flags.out) process.stderr.write(`wrote the chain of issuer ${id} to ${flags.out}\n`);
  });
}
