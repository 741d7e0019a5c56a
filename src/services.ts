// The composition root: opens the database, loads the master keys and builds every service with exactly the
// dependencies it names. Used by `tarsier serve`, the server-side CLI commands and the tests.
import path from 'node:path';
import { pino } from 'pino';
import type { ServerConfig } from './config.ts';
import { createKeyring, loadOrCreateMasterKeyFile, parseMasterKeys } from './crypto/envelope.ts';
import { migrateToLatest, type OpenDatabase, openDatabase } from './db/index.ts';
import { createAuditService } from './modules/audit/service.ts';
import { createAuthorityService } from './modules/authorities/service.ts';
import { createCertificateService } from './modules/certificates/service.ts';
import { createIdentityService } from './modules/identity/service.ts';
import { createKeyService } from './modules/keys/service.ts';
import { createRevocationService } from './modules/revocation/service.ts';

export function masterKeysFile(config: Pick<ServerConfig, 'dataDir'>): string {
  return path.join(config.dataDir, 'master-keys');
}

export async function createServices(config: ServerConfig, clock: () => Date = () => new Date()) {
  const masterKeys = config.masterKeys
    ? parseMasterKeys(config.masterKeys)
    : loadOrCreateMasterKeyFile(masterKeysFile(config));
  const database: OpenDatabase = openDatabase(config);
  await migrateToLatest(database);
  const { db } = database;
  const keyring = createKeyring(masterKeys);
  const audit = createAuditService({ db, clock });
  const keys = createKeyService({ keyring, clock });
  const identity = createIdentityService({ db, audit, clock, tokenTtlHours: config.tokenTtlHours });
  const authorities = createAuthorityService({ db, keys, audit, clock, onUpdated: (id) => revocation.forget(id) });
  const log = pino({ level: config.logLevel });
  const revocation = createRevocationService({ db, authorities, keys, clock, log });
  const certificates = createCertificateService({
    db,
    dialect: database.dialect,
    keys,
    audit,
    authorities,
    clock,
    onRevoked: (authorityId, shard) => revocation.revoked(authorityId, shard),
  });
  return {
    database,
    db,
    audit,
    keys,
    identity,
    authorities,
    certificates,
    revocation,
    log,
    close: () => database.close(),
  };
}

export type Services = Awaited<ReturnType<typeof createServices>>;
