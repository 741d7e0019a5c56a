// `tarsier authority create|update|list|show|chain`: the authorities (internal CAs) that sign certificates, through
// /api/v1/authorities.
import type { Command } from 'commander';
import { KEY_TYPES } from '../crypto/types.ts';
import { type ClientFlags, connect, withClientOptions } from './client.ts';
import { choice, defined, id, integer, list } from './options.ts';
import { formatDate, formatTime, print, printFields, printJson, printTable, writeFile } from './output.ts';

/** The fields of an authority the CLI prints; the API sends more, and --json shows all of it. */
export interface Authority {
  id: number;
  name: string;
  type: string;
  parentId: number | null;
  owner: string | null;
  description: string | null;
  keyType: string;
  subjectDn: string;
  serial: string;
  fingerprintSha256: string;
  notBefore: string;
  notAfter: string;
  pathLength: number | null;
  policy: {
    maxValidityDays: number;
    nameConstraints?: Record<string, string[] | undefined>;
    allowedRoles?: string[];
    unregisteredNames?: string;
  };
  chainIds?: number[];
  publicBaseUrl?: string | null;
  crlUrls?: string[];
  ocspUrl?: string | null;
  ocspSigner?: string;
}

/** Where and how an authority publishes revocation: shared by create and update. */
interface PublishingFlags {
  publicBaseUrl?: string;
  crlValidityHours?: number;
  ocspSigner?: 'ca' | 'delegated';
}

const publishing = (f: PublishingFlags) =>
  defined({ publicBaseUrl: f.publicBaseUrl, crlValidityHours: f.crlValidityHours, ocspSigner: f.ocspSigner });

const withPublishingOptions = (c: Command) =>
  c
    .option('--public-base-url <url>', 'where its CRLs and OCSP are published (e.g. http://pki.example.com)')
    .option('--crl-validity-hours <n>', 'nextUpdate - thisUpdate of its CRLs (default 24)', integer)
    .option('--ocsp-signer <who>', 'ca or delegated (default)', choice(['ca', 'delegated'] as const));

interface CreateFlags extends ClientFlags, PublishingFlags {
  name: string;
  type: 'root' | 'intermediate';
  parent?: number;
  cn: string;
  org?: string;
  ou?: string;
  country?: string;
  state?: string;
  locality?: string;
  keyType?: string;
  validityDays?: number;
  pathLength?: number;
  permittedDns?: string[];
  excludedDns?: string[];
  permittedIp?: string[];
  maxCertValidityDays?: number;
  owner?: string;
  description?: string;
  allowedRoles?: string[];
  unregisteredNames?: 'allow' | 'approve' | 'deny';
  crlShards?: number;
}

function createBody(f: CreateFlags) {
  const constraints = defined({ permittedDns: f.permittedDns, excludedDns: f.excludedDns, permittedIp: f.permittedIp });
  return defined({
    name: f.name,
    type: f.type,
    parentId: f.parent,
    subject: defined({
      commonName: f.cn,
      organization: f.org,
      organizationalUnit: f.ou,
      country: f.country,
      state: f.state,
      locality: f.locality,
    }),
    keyType: f.keyType,
    validityDays: f.validityDays,
    pathLength: f.pathLength,
    nameConstraints: Object.keys(constraints).length ? constraints : undefined,
    maxCertificateValidityDays: f.maxCertValidityDays,
    owner: f.owner,
    description: f.description,
    allowedRoles: f.allowedRoles,
    unregisteredNames: f.unregisteredNames,
    crlShards: f.crlShards,
    ...publishing(f),
  });
}

export function printAuthority(a: Authority): void {
  const nc = a.policy.nameConstraints ?? {};
  const constraints = Object.entries(nc).flatMap(([k, v]) => (v ?? []).map((x) => `${k}: ${x}`));
  printFields([
    ['ID', a.id],
    ['Name', a.name],
    ['Type', a.type],
    ['Parent', a.parentId],
    ['Subject', a.subjectDn],
    ['Key type', a.keyType],
    ['Serial', a.serial],
    ['Not before', formatTime(a.notBefore)],
    ['Not after', formatTime(a.notAfter)],
    ['Path length', a.pathLength],
    ['Max validity', `${a.policy.maxValidityDays} days (certificates it issues)`],
    ['Name constraints', constraints],
    ['Owner', a.owner],
    ['Description', a.description],
    ['Allowed roles', a.policy.allowedRoles?.join(', ')],
    ['Unregistered names', a.policy.unregisteredNames],
    ['CRL', a.crlUrls?.join(' ')],
    [
      'OCSP',
      a.ocspUrl ? `${a.ocspUrl} (signed by ${a.ocspSigner === 'ca' ? 'the CA' : 'a delegated responder'})` : undefined,
    ],
    ['SHA-256', a.fingerprintSha256],
    ...(a.chainIds ? ([['Chain', a.chainIds.join(' -> ')]] as Array<[string, string]>) : []),
  ]);
}

export function registerAuthorityCommands(program: Command): void {
  const authority = program.command('authority').description('authorities (internal CAs) that sign certificates');

  withClientOptions(
    withPublishingOptions(
      authority
        .command('create')
        .description('create a root authority, or an intermediate signed by --parent')
        .requiredOption('--name <name>', 'unique name, e.g. "Acme Internal Root"')
        .requiredOption('--type <type>', 'root or intermediate', choice(['root', 'intermediate'] as const))
        .option('--parent <id>', 'the signing authority (intermediates only)', id)
        .requiredOption('--cn <name>', 'subject common name')
        .option('--org <organization>', 'subject organization (O)')
        .option('--ou <unit>', 'subject organizational unit (OU)')
        .option('--country <code>', 'subject country, two letters (C)')
        .option('--state <state>', 'subject state or province (ST)')
        .option('--locality <city>', 'subject locality (L)')
        .option('--key-type <type>', KEY_TYPES.join(', '), choice(KEY_TYPES))
        .option('--validity-days <n>', 'lifetime of the authority certificate', integer)
        .option('--path-length <n>', 'how many intermediates may follow below it', integer)
        .option('--permitted-dns <domains>', 'name constraint: only these DNS domains (comma list)', list)
        .option('--excluded-dns <domains>', 'name constraint: never these DNS domains (comma list)', list)
        .option('--permitted-ip <cidrs>', 'name constraint: only these IP ranges (comma list of CIDR)', list)
        .option('--max-cert-validity-days <n>', 'longest validity of certificates it issues (default 397)', integer)
        .option('--owner <owner>', 'a team or an e-mail address')
        .option('--description <text>', 'free text')
        .option('--allowed-roles <roles>', 'only these roles (and admins) may issue from it (comma list)', list)
        .option(
          '--unregistered-names <policy>',
          'names outside every registered domain: allow (default), approve or deny',
          choice(['allow', 'approve', 'deny'] as const),
        )
        .option('--crl-shards <n>', 'partition its CRL into this many shards (fixed at creation; default 1)', integer),
    ),
  ).action(async (flags: CreateFlags) => {
    const { body } = await connect(flags).json<Authority>('POST', '/api/v1/authorities', { body: createBody(flags) });
    if (flags.json) printJson(body);
    else printAuthority(body);
  });

  withClientOptions(
    withPublishingOptions(
      authority
        .command('update')
        .description("change an authority's owner, description or revocation publishing")
        .argument('<id>', 'authority id', id)
        .option('--owner <owner>', 'a team or an e-mail address')
        .option('--description <text>', 'free text'),
    ),
  ).action(
    async (authorityId: number, flags: ClientFlags & PublishingFlags & { owner?: string; description?: string }) => {
      const body = { ...defined({ owner: flags.owner, description: flags.description }), ...publishing(flags) };
      if (Object.keys(body).length === 0)
        throw new Error('nothing to change: give --owner, --description or a publishing option');
      const res = await connect(flags).json<Authority>('PATCH', `/api/v1/authorities/${authorityId}`, { body });
      if (flags.json) printJson(res.body);
      else printAuthority(res.body);
    },
  );

  withClientOptions(authority.command('list').description('list the authorities')).action(
    async (flags: ClientFlags) => {
      const { body } = await connect(flags).json<{ items: Authority[] }>('GET', '/api/v1/authorities');
      if (flags.json) printJson(body);
      else if (body.items.length === 0) print('no authorities yet; create one with `tarsier authority create`');
      else
        printTable(
          ['ID', 'NAME', 'TYPE', 'PARENT', 'KEY', 'NOT AFTER', 'OWNER'],
          body.items.map((a) => [a.id, a.name, a.type, a.parentId, a.keyType, formatDate(a.notAfter), a.owner]),
        );
    },
  );

  withClientOptions(
    authority.command('show').description('show one authority').argument('<id>', 'authority id', id),
  ).action(async (authorityId: number, flags: ClientFlags) => {
    const { body } = await connect(flags).json<Authority>('GET', `/api/v1/authorities/${authorityId}`);
    if (flags.json) printJson(body);
    else printAuthority(body);
  });

  withClientOptions(
    authority
      .command('chain')
      .description("print the authority's certificate chain (PEM, the authority first, up to its root)")
      .argument('<id>', 'authority id', id)
      .option('-o, --out <file>', 'write the chain to this file instead of standard output'),
  ).action(async (authorityId: number, flags: ClientFlags & { out?: string }) => {
    const pem = await connect(flags).bytes('GET', `/api/v1/authorities/${authorityId}/chain`);
    writeFile(flags.out ?? '-', pem);
    if (flags.out) process.stderr.write(`wrote the chain of authority ${authorityId} to ${flags.out}\n`);
  });
}
