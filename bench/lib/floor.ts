// A floor for Node.js on this machine: the least work an issuance with Tarsier's guarantees needs, written with
// no framework at all: node:http, JSON, a P-256 key from node:crypto, Tarsier's DER builder and envelope
// encryption, and one SQLite transaction (Tarsier's schema: certificate row, sealed key, audit event) made
// durable by an fdatasync of the WAL before the answer. No authentication, validation, policy, audit chain or
// view: what Tarsier adds on top of this is its cost of being a product. The issuance benchmark measures it beside
// Tarsier and CFSSL, so that a target can be judged against what the platform itself allows here.
import { createHash, generateKeyPair } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import SQLite from 'better-sqlite3';
import { buildCertificate, randomSerial } from '../../src/crypto/certificate-builder.ts';
import { createKeyring, loadOrCreateMasterKeyFile } from '../../src/crypto/envelope.ts';
import { exportPrivateKeyDer } from '../../src/crypto/keys.ts';
import { toPem } from '../../src/crypto/pem.ts';
import { migrateToLatest, openDatabase } from '../../src/db/index.ts';
import { createSyncer } from '../../src/db/sqlite-durable.ts';

const generate = promisify(generateKeyPair);

export interface FloorServer {
  url: string;
  stop(): Promise<void>;
}

export async function startFloorServer(): Promise<FloorServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-floor-'));
  const file = path.join(dir, 'floor.db');
  const schema = openDatabase({ database: { kind: 'sqlite', file }, sqliteSynchronous: 'NORMAL' });
  await migrateToLatest(schema);
  await schema.close();

  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const keyring = createKeyring(loadOrCreateMasterKeyFile(path.join(dir, 'master-keys')));
  const ca = await generate('ec', { namedCurve: 'P-256' });
  const now = new Date();
  const caDer = buildCertificate(
    {
      serial: randomSerial(),
      subject: { commonName: 'Floor Root' },
      publicKey: ca.publicKey,
      notBefore: now,
      notAfter: new Date(now.getTime() + 3650 * 86_400_000),
      basicConstraints: { ca: true },
      keyUsages: ['keyCertSign', 'cRLSign'],
    },
    { privateKey: ca.privateKey },
  );
  const insertKey = db.prepare(
    'INSERT INTO private_keys (key_type, master_key_id, wrapped_dek, ciphertext, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const insertCertificate = db.prepare(
    `INSERT INTO certificates (origin, common_name, sans, search_text, serial, fingerprint_sha256, fingerprint_sha1,
       subject_dn, issuer_dn, not_before, not_after, key_type, signature_algorithm, certificate_der, private_key_id,
       labels, created_at) VALUES ('issued', ?, ?, ?, ?, ?, ?, ?, 'CN=Floor Root', ?, ?, 'ec-p256', 'ecdsa-with-SHA256', ?, ?, '{}', ?)`,
  );
  const insertAudit = db.prepare(
    `INSERT INTO audit_events (at, actor, action, target_type, target_id, outcome, details)
     VALUES (?, 'bench', 'certificate.issue', 'certificate', ?, 'success', ?)`,
  );
  const store = db.transaction(
    (row: { cn: string; serial: string; der: Uint8Array; key: ReturnType<typeof keyring.seal> }) => {
      const at = new Date().toISOString();
      const keyId = insertKey.run(
        'ec-p256',
        row.key.masterKeyId,
        row.key.wrappedDek,
        row.key.ciphertext,
        at,
      ).lastInsertRowid;
      const sha256 = createHash('sha256').update(row.der).digest('hex');
      const id = insertCertificate.run(
        row.cn,
        JSON.stringify({ dns: [row.cn] }),
        `${row.cn} ${row.serial}`,
        row.serial,
        sha256,
        createHash('sha1').update(row.der).digest('hex'),
        `CN=${row.cn}`,
        at,
        at,
        row.der,
        keyId,
        at,
      ).lastInsertRowid;
      insertAudit.run(at, String(id), JSON.stringify({ serial: row.serial }));
      return Number(id);
    },
  );
  let wal: number | undefined;
  const syncer = createSyncer(
    () =>
      new Promise<void>((resolve, reject) => {
        wal ??= fs.openSync(`${file}-wal`, 'r+');
        fs.fdatasync(wal, (err) => (err ? reject(err) : resolve()));
      }),
  );

  async function issue(body: string): Promise<string> {
    const { commonName: cn } = JSON.parse(body) as { commonName: string };
    const pair = await generate('ec', { namedCurve: 'P-256' });
    const issued = new Date();
    const serial = randomSerial();
    const der = buildCertificate(
      {
        serial,
        subject: { commonName: cn },
        sans: { dns: [cn] },
        publicKey: pair.publicKey,
        notBefore: issued,
        notAfter: new Date(issued.getTime() + 397 * 86_400_000),
        keyUsages: ['digitalSignature'],
        extendedKeyUsages: ['serverAuth'],
      },
      { privateKey: ca.privateKey, certificateDer: caDer },
    );
    const pkcs8 = exportPrivateKeyDer(pair.privateKey);
    const key = keyring.seal(pkcs8, 'private-key:ec-p256');
    pkcs8.fill(0);
    const id = store({ cn, serial: Buffer.from(serial).toString('hex'), der, key });
    await syncer.flush();
    return JSON.stringify({ id, pem: toPem(der, 'CERTIFICATE') });
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      issue(Buffer.concat(chunks).toString('utf8')).then(
        (json) => res.writeHead(201, { 'content-type': 'application/json' }).end(json),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (wal !== undefined) fs.closeSync(wal);
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
