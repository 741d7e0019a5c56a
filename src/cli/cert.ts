// `tarsier cert issue|list|show|revoke|rotate|archive|update`: the certificate inventory, through
// /api/v1/certificates. Moving files in and out (import, export) lives in cert-files.ts.
import { type Command, InvalidArgumentError } from 'commander';
import { KEY_TYPES } from '../crypto/types.ts';
import { registerCertificateFileCommands } from './cert-files.ts';
import { type Certificate, printCertificate, printCertificateTable } from './cert-view.ts';
import { type ApiClient, type ClientFlags, connect, type Query, withClientOptions } from './client.ts';
import { choice, defined, id, integer, label, list, setting } from './options.ts';
import { print, printJson, readFile, writeFile } from './output.ts';
import { type Pending, printPending, waitForPending } from './pending.ts';
import { type HeldReply, reportHeld } from './request.ts';
import { registerRotationCommands, rotateByFilter } from './rotation.ts';

interface PendingReply {
  status: 'pending-issuance';
  pendingCertificate: Pending;
}

function reportPending(flags: ClientFlags, p: Pending): void {
  if (flags.json) {
    printJson({ status: 'pending-issuance', pendingCertificate: p });
    return;
  }
  print(`the issuer is working on it: pending certificate ${p.id} (tarsier pending show ${p.id} --wait)`);
  printPending(p);
}

interface MetadataFlags {
  owner?: string;
  description?: string;
  reason?: string;
  label?: Record<string, string>;
}

interface IssueFlags extends ClientFlags, MetadataFlags {
  authority?: number;
  issuer?: number;
  issuerOption?: Record<string, unknown>;
  wait?: number | boolean;
  cn?: string;
  dns?: string[];
  ip?: string[];
  email?: string[];
  uri?: string[];
  keyType?: string;
  validityDays?: number;
  csr?: string;
  eku?: string[];
  keyUsage?: string[];
  notify?: boolean;
  out?: string;
  keyOut?: string;
}

interface ListFlags extends ClientFlags {
  q?: string;
  status?: string;
  owner?: string;
  authority?: number;
  keyType?: string;
  domain?: string;
  expiringWithin?: number;
  archived?: string;
  sort?: string;
  limit?: number;
  cursor?: string;
  all?: boolean;
}

type CertificatePage = { items: Certificate[]; next: string | null; total?: number };

const path = (certId: number, action = '') => `/api/v1/certificates/${certId}${action}`;

function issueBody(f: IssueFlags) {
  const sans = defined({ dns: f.dns, ip: f.ip, email: f.email, uri: f.uri });
  return defined({
    authorityId: f.authority,
    issuerId: f.issuer,
    issuerOptions: f.issuerOption,
    commonName: f.cn,
    sans: Object.keys(sans).length ? sans : undefined,
    keyType: f.keyType,
    validityDays: f.validityDays,
    csr: f.csr === undefined ? undefined : readFile(f.csr, 'CSR').toString('utf8'),
    owner: f.owner,
    description: f.description,
    reason: f.reason,
    labels: f.label,
    notify: f.notify === false ? false : undefined,
    keyUsages: f.keyUsage,
    extendedKeyUsages: f.eku,
  });
}

/** Writes the certificate followed by its chain, the file a TLS server wants. */
function writeCertificate(file: string, c: Certificate): void {
  writeFile(file, `${c.pem ?? ''}${c.chainPem ?? ''}`);
  process.stderr.write(`wrote certificate ${c.id} and its chain to ${file}\n`);
}

async function writeKey(client: ApiClient, file: string, c: Certificate): Promise<void> {
  const key = await client.bytes('POST', path(c.id, '/export'), { body: { format: 'pem', include: ['key'] } });
  writeFile(file, key, { secret: true });
  process.stderr.write(`wrote the private key of certificate ${c.id} to ${file} (mode 0600)\n`);
}

/** Prints what a changing command returned: the API JSON, or the certificate as `cert show` would. */
function report(flags: ClientFlags, c: Certificate, headline: string): void {
  if (flags.json) {
    printJson(c);
    return;
  }
  print(headline);
  printCertificate(c);
}

function listQuery(f: ListFlags): Query {
  return {
    q: f.q,
    status: f.status,
    owner: f.owner,
    authorityId: f.authority,
    keyType: f.keyType,
    domain: f.domain,
    expiringWithinDays: f.expiringWithin,
    archived: f.archived,
    sort: f.sort,
    limit: f.limit,
    cursor: f.cursor,
  };
}

async function listCertificates(flags: ListFlags): Promise<void> {
  const client = connect(flags);
  const query = listQuery(flags);
  let page = (await client.json<CertificatePage>('GET', '/api/v1/certificates', { query })).body;
  if (flags.all) {
    const items = [...page.items];
    while (page.next) {
      page = (
        await client.json<CertificatePage>('GET', '/api/v1/certificates', { query: { ...query, cursor: page.next } })
      ).body;
      items.push(...page.items);
    }
    page = { items, next: null };
  }
  if (flags.json) printJson(page);
  else if (page.items.length === 0) print('no certificates match');
  else {
    printCertificateTable(page.items);
    if (page.next) print(`\nmore: tarsier cert list … --cursor ${page.next} (or --all)`);
  }
}

const withMetadata = (c: Command) =>
  c
    .option('--owner <owner>', 'a team or an e-mail address')
    .option('--description <text>', 'free text')
    .option('--label <key=value>', 'a label; repeat for several', label);

type RotateFlags = ClientFlags & {
  csr?: string;
  out?: string;
  keyOut?: string;
  filter?: Record<string, unknown>;
  dryRun?: boolean;
};

export function registerCertificateCommands(program: Command): void {
  const cert = program.command('cert').description('certificates: issue, import, list, show, export, revoke, rotate');

  withClientOptions(
    withMetadata(
      cert
        .command('issue')
        .description('issue a certificate from an authority (Tarsier makes and keeps the key, unless --csr)')
        .option('--authority <id>', 'the Tarsier authority that signs it', id)
        .option('--issuer <id>', 'or: the external issuer (ACME, CFSSL) to ask; see tarsier issuer list', id)
        .option('--issuer-option <key=value>', "an option of the external issuer's plugin; repeatable", setting)
        .option('--wait [seconds]', 'when the issuer answers later, wait for it (default 300 s)', integer)
        .option('--reason <text>', 'why it is needed: shown to reviewers when a name needs approval')
        .option('--cn <name>', 'common name (also added as a DNS name)')
        .option('--dns <names>', 'DNS names, comma list; repeatable', list)
        .option('--ip <addresses>', 'IP addresses, comma list; repeatable', list)
        .option('--email <addresses>', 'e-mail addresses, comma list; repeatable', list)
        .option('--uri <uris>', 'URIs, comma list; repeatable', list)
        .option('--key-type <type>', KEY_TYPES.join(', '), choice(KEY_TYPES))
        .option('--validity-days <n>', 'lifetime in days (the authority sets the maximum)', integer)
        .option('--csr <file>', 'certify the key of this PEM CSR; Tarsier then stores no key'),
    )
      .option('--eku <usages>', 'extended key usages: serverAuth, clientAuth, codeSigning, … or OIDs', list)
      .option('--key-usage <usages>', 'key usages, e.g. digitalSignature,keyEncipherment', list)
      .option('--no-notify', 'send no expiry notifications for it')
      .option('-o, --out <file>', 'write the certificate and its chain (PEM) to this file')
      .option('--key-out <file>', 'write its private key (PEM) to this file, mode 0600'),
  ).action(async (flags: IssueFlags) => {
    if ((flags.authority === undefined) === (flags.issuer === undefined)) {
      throw new Error('give --authority (a Tarsier authority) or --issuer (an external issuer), one of the two');
    }
    const client = connect(flags);
    const reply = await client.json<Certificate | HeldReply | PendingReply>('POST', '/api/v1/certificates', {
      body: issueBody(flags),
    });
    let body = reply.body as Certificate;
    // 202: held for a reviewer, or an external issuer is still working; neither is a failure.
    if (reply.status === 202 && 'pendingCertificate' in reply.body) {
      const pending = reply.body.pendingCertificate;
      if (flags.wait === undefined) return reportPending(flags, pending);
      const done = await waitForPending(client, pending.id, typeof flags.wait === 'number' ? flags.wait : 300);
      body = (await client.json<Certificate>('GET', path(done.certificateId!))).body;
    } else if (reply.status === 202) return reportHeld(flags, reply.body as HeldReply);
    if (flags.out) writeCertificate(flags.out, body);
    if (flags.keyOut) await writeKey(client, flags.keyOut, body);
    report(flags, body, `issued certificate ${body.id}`);
  });

  withClientOptions(
    cert
      .command('list')
      .description('list certificates, soonest expiry first by default')
      .option('--q <text>', 'part of the common name, a SAN, the serial or a fingerprint')
      .option('--status <status>', 'valid, expired, revoked or not-yet-valid')
      .option('--owner <owner>', 'owned by')
      .option('--authority <id>', 'issued by this authority', id)
      .option('--key-type <type>', KEY_TYPES.join(', '))
      .option('--domain <domain>', 'with a name in this domain')
      .option('--expiring-within <days>', 'expiring within this many days', integer)
      .option('--archived <which>', 'exclude (default), include or only')
      .option('--sort <field>', 'notAfter, commonName, createdAt, notBefore or id; prefix - for descending')
      .option('--limit <n>', 'page size (at most 500)', integer)
      .option('--cursor <cursor>', 'the page after this cursor (printed under a full page)')
      .option('--all', 'follow the cursor to the last page'),
  ).action(listCertificates);

  withClientOptions(
    cert.command('show').description('show one certificate').argument('<id>', 'certificate id', id),
  ).action(async (certId: number, flags: ClientFlags) => {
    const { body } = await connect(flags).json<Certificate>('GET', path(certId));
    if (flags.json) printJson(body);
    else printCertificate(body);
  });

  withClientOptions(
    cert
      .command('revoke')
      .description('revoke a certificate')
      .argument('<id>', 'certificate id', id)
      .option(
        '--reason <reason>',
        'keyCompromise, superseded, cessationOfOperation, affiliationChanged, … (default unspecified)',
      ),
  ).action(async (certId: number, flags: ClientFlags & { reason?: string }) => {
    const { body } = await connect(flags).json<Certificate>('POST', path(certId, '/revoke'), {
      body: defined({ reason: flags.reason }),
    });
    report(flags, body, `revoked certificate ${certId}`);
  });

  withClientOptions(
    cert
      .command('rotate')
      .description('issue a replacement with the same names and settings (a new key, unless --csr)')
      .argument('[id]', 'certificate id (or --filter for many)', id)
      .option(
        '--filter <key=value>',
        'rotate every certificate matching (owner=, q=, authorityId=, …; repeatable)',
        setting,
      )
      .option('--dry-run', 'with --filter: only list what would be rotated or skipped')
      .option('--csr <file>', 'a new CSR, for certificates issued from one')
      .option('-o, --out <file>', 'write the new certificate and its chain (PEM) to this file')
      .option('--key-out <file>', 'write the new private key (PEM) to this file, mode 0600'),
  ).action(async (certId: number | undefined, flags: RotateFlags) => {
    if (flags.filter) return rotateByFilter({ ...flags, filter: flags.filter });
    if (certId === undefined) throw new InvalidArgumentError('give a certificate id, or --filter key=value');
    const client = connect(flags);
    const csr = flags.csr === undefined ? undefined : readFile(flags.csr, 'CSR').toString('utf8');
    const { body } = await client.json<Certificate>('POST', path(certId, '/rotate'), { body: defined({ csr }) });
    if (flags.out) writeCertificate(flags.out, body);
    if (flags.keyOut) await writeKey(client, flags.keyOut, body);
    report(flags, body, `rotated certificate ${certId}: its replacement is certificate ${body.id}`);
  });

  withClientOptions(
    cert
      .command('archive')
      .description('hide a certificate from lists (it stays in the inventory)')
      .argument('<id>', 'certificate id', id),
  ).action(async (certId: number, flags: ClientFlags) => {
    const { body } = await connect(flags).json<Certificate>('POST', path(certId, '/archive'));
    report(flags, body, `archived certificate ${certId}`);
  });

  withClientOptions(
    withMetadata(
      cert.command('update').description("change a certificate's owner, description, labels or notifications"),
    )
      .argument('<id>', 'certificate id', id)
      .option('--notify', 'send expiry notifications')
      .option('--no-notify', 'send no expiry notifications'),
  ).action(async (certId: number, flags: ClientFlags & MetadataFlags & { notify?: boolean }) => {
    const body = defined({
      owner: flags.owner,
      description: flags.description,
      labels: flags.label,
      notify: flags.notify,
    });
    const reply = await connect(flags).json<Certificate>('PATCH', path(certId), { body });
    report(flags, reply.body, `updated certificate ${certId}`);
  });

  registerCertificateFileCommands(cert);
  registerRotationCommands(cert);
}
