// The composition root: opens the database, loads the master keys and builds every service with exactly the
// dependencies it names. Used by `tarsier serve`, the server-side CLI commands and the tests.
import path from 'node:path';
import { pino } from 'pino';
import type { ServerConfig } from './config.ts';
import { createKeyring, loadOrCreateMasterKeyFile, parseMasterKeys } from './crypto/envelope.ts';
import { keyPool } from './crypto/key-pool.ts';
import { migrateToLatest, type OpenDatabase, openDatabase } from './db/index.ts';
import { startSearchIndexer } from './db/search-indexer.ts';
import { createAuditService } from './modules/audit/service.ts';
import { createAuthorityService } from './modules/authorities/service.ts';
import { signWithAuthority } from './modules/certificates/issuance.ts';
import { createCertificateService } from './modules/certificates/service.ts';
import { createCertificateStats } from './modules/certificates/stats.ts';
import { builtinDestinationPlugins } from './modules/destinations/builtin.ts';
import { createDestinationChallenges } from './modules/destinations/challenges.ts';
import { createDeploymentService } from './modules/destinations/deploy.ts';
import { createDestinationRegistry } from './modules/destinations/registry.ts';
import { createDestinationService } from './modules/destinations/service.ts';
import { createDomainService } from './modules/domains/service.ts';
import { createEndpointService } from './modules/endpoints/service.ts';
import { createApiKeyService } from './modules/identity/api-keys.ts';
import { createExternalLogin } from './modules/identity/external-login.ts';
import { createLdapService } from './modules/identity/ldap.ts';
import { createOidcService } from './modules/identity/oidc.ts';
import { createIdentityService } from './modules/identity/service.ts';
import { createUserService } from './modules/identity/users.ts';
import { builtinIssuerPlugins } from './modules/issuers/builtin.ts';
import { createInternalIssuer } from './modules/issuers/internal/index.ts';
import { createIssuerRegistry } from './modules/issuers/registry.ts';
import { createIssuerService } from './modules/issuers/service.ts';
import { createJobRegistry } from './modules/jobs/registry.ts';
import { createJobRunner } from './modules/jobs/runner.ts';
import { createScheduler } from './modules/jobs/scheduler.ts';
import { createJobService } from './modules/jobs/service.ts';
import { createKeyService } from './modules/keys/service.ts';
import { notDeployedCheck, staleDeploymentCheck } from './modules/notifications/automation-checks.ts';
import { builtinNotificationPlugins } from './modules/notifications/builtin.ts';
import { createDispatcher } from './modules/notifications/dispatch.ts';
import { createNotificationRegistry } from './modules/notifications/registry.ts';
import { createNotificationService } from './modules/notifications/service.ts';
import { createNotificationTriggers, rotationOverdueCheck } from './modules/notifications/triggers.ts';
import { createPendingService } from './modules/pending/service.ts';
import { systemContext } from './modules/request-context.ts';
import { createRequestService } from './modules/requests/service.ts';
import { createRevocationService } from './modules/revocation/service.ts';
import { createRevocationChecks } from './modules/revocation-checks/service.ts';
import { redeployMissing } from './modules/rotation/redeploy.ts';
import { createRotationWorker } from './modules/rotation/service.ts';
import { createRotationSettings } from './modules/rotation/settings.ts';
import { builtinSourcePlugins } from './modules/sources/builtin.ts';
import { throughGuard } from './modules/sources/outbound.ts';
import { createSourceRegistry } from './modules/sources/registry.ts';
import { createSourceService } from './modules/sources/service.ts';
import { createOutboundGuard } from './net/outbound.ts';

export function masterKeysFile(config: Pick<ServerConfig, 'dataDir'>): string {
  return path.join(config.dataDir, 'master-keys');
}

export async function createServices(config: ServerConfig, clock: () => Date = () => new Date()) {
  const masterKeys = config.masterKeys
    ? parseMasterKeys(config.masterKeys)
    : loadOrCreateMasterKeyFile(masterKeysFile(config));
  const log = pino({ level: config.logLevel });
  const database: OpenDatabase = openDatabase(config, 10, (err) =>
    log.warn({ err }, 'a pooled PostgreSQL connection was closed; it will be replaced'),
  );
  await migrateToLatest(database);
  await database.dialect.maintain(database.db);
  const { db } = database;
  keyPool.open();
  const searchIndex = startSearchIndexer(db, database.dialect, {
    onError: (err) => log.warn({ err }, 'indexing new certificates for search failed; the next pass retries'),
  });
  const keyring = createKeyring(masterKeys);
  const audit = createAuditService({ db, clock });
  const keys = createKeyService({ keyring, clock });
  const identity = createIdentityService({ db, audit, clock, tokenTtlHours: config.tokenTtlHours });
  const users = createUserService({ db, audit, clock, onChanged: identity.forgetCached });
  const external = createExternalLogin({ db, audit, users, identity });
  const ldap = config.ldap ? createLdapService({ config: config.ldap, external }) : undefined;
  const oidc = config.oidc ? createOidcService({ config: config.oidc, external, clock }) : undefined;
  const apiKeys = createApiKeyService({ db, audit, clock, onRevoked: identity.forgetCached });
  const authorities = createAuthorityService({ db, keys, audit, clock, onUpdated: (id) => revocation.forget(id) });
  const revocation = createRevocationService({ db, authorities, keys, clock, log });
  const issuers = createIssuerService({
    db,
    keys,
    audit,
    registry: createIssuerRegistry([
      ...builtinIssuerPlugins,
      createInternalIssuer({ authorities, sign: signWithAuthority }),
    ]),
    clock,
    log,
    destinationChallenges: (id, field) => createDestinationChallenges(destinations)(id, field),
  });
  const certificates = createCertificateService({
    db,
    dialect: database.dialect,
    keys,
    audit,
    authorities,
    issuers,
    clock,
    onRevoked: (authorityId, shard) => revocation.revoked(authorityId, shard),
    onRotated: (_oldId, newId, ctx) => deployments.deployNew(newId, ctx).then(() => undefined),
  });
  const pending = createPendingService({
    db,
    audit,
    issuers,
    // A certificate that arrives later (ACME) is deployed then: where it was asked to go, or where its predecessor is.
    advance: async (p) => {
      const done = await certificates.advancePending(p);
      if (done.certificateId !== undefined) await deployments.deployNew(done.certificateId, systemContext());
      return done;
    },
    clock,
    log,
  });
  const domains = createDomainService({ db, audit, clock });
  const outbound = createOutboundGuard(config.outbound);
  const destinations = createDestinationService({
    db,
    keys,
    audit,
    registry: createDestinationRegistry(builtinDestinationPlugins),
    outbound,
    clock,
    log,
  });
  const endpoints = createEndpointService({ db });
  const deployments = createDeploymentService({
    db,
    keys,
    audit,
    destinations,
    certificate: certificates.get,
    clock,
    // A deployed file is an endpoint too: the certificate's detail lists where it went, and a place that later
    // shows another certificate is seen as changed.
    onDeployed: async (d) => {
      await endpoints.observe(
        db,
        { kind: 'destination', destinationId: d.destinationId, path: d.location },
        d.certificateId,
        {
          at: d.deployedAt,
        },
      );
    },
  });
  const requests = createRequestService({ db, audit, domains, certificates, authorities, identity, clock });
  const sources = createSourceService({
    db,
    keys,
    audit,
    registry: createSourceRegistry(builtinSourcePlugins),
    certificates,
    authorities,
    endpoints,
    outbound: throughGuard(outbound),
    clock,
    log: log.child({ module: 'sources' }),
  });
  const jobRegistry = createJobRegistry(config.jobs.intervals);
  const claimSeconds = config.jobs.timeoutSeconds;
  const notificationRegistry = createNotificationRegistry(builtinNotificationPlugins);
  const notifications = createNotificationService({
    db,
    keys,
    audit,
    registry: notificationRegistry,
    clock,
    log,
    outbound,
  });
  const dispatcher = createDispatcher({
    db,
    registry: notificationRegistry,
    keys,
    clock,
    log,
    claimSeconds,
    outbound,
  });
  const triggers = createNotificationTriggers({
    db,
    dispatcher,
    clock,
    expiryDays: config.jobs.expiryNoticeDays,
    authorityDays: config.jobs.authorityNoticeDays,
    checks: [
      rotationOverdueCheck,
      notDeployedCheck(config.jobs.deployGraceMinutes),
      staleDeploymentCheck(config.jobs.deployGraceMinutes),
    ],
  });
  const rotationWorker = createRotationWorker({
    db,
    certificates,
    pending,
    notices: triggers,
    clock,
    log,
    claimSeconds,
    afterRotated: redeployMissing({ db, deployments }),
  });
  const rotation = createRotationSettings({ db, certificates, audit, clock });
  const revocationChecks = createRevocationChecks({ db, certificates, clock, log });
  jobRegistry.add({
    name: 'pending-retries',
    description: 'asks external issuers again about pending certificates that are due',
    intervalSeconds: Math.max(1, config.pendingPollSeconds),
    run: async () => ({ worked: await pending.processDue() }),
  });
  jobRegistry.add({
    name: 'crl-refresh',
    description: "rebuilds the authorities' CRLs before they pass half their validity",
    intervalSeconds: 300,
    run: async () => ({ rebuilt: await revocation.refreshDue() }),
  });
  jobRegistry.add({
    name: 'database-maintenance',
    description: "keeps the database planner's statistics current as the data grows",
    intervalSeconds: 3600,
    run: async () => {
      await database.dialect.maintain(database.db);
      return {};
    },
  });
  jobRegistry.add({
    name: 'expiry-notifications',
    description: 'expiry warnings, revocations, authorities expiring, stalled automation; then sends them',
    intervalSeconds: 3600,
    run: triggers.run,
  });
  jobRegistry.add({
    name: 'notification-deliveries',
    description: 'sends queued notifications and retries failed ones',
    intervalSeconds: 60,
    run: () => dispatcher.deliverDue(),
  });
  jobRegistry.add({
    name: 'security-summary',
    description: 'the periodic summary for rules that ask for `summary`',
    intervalSeconds: 7 * 86_400,
    run: triggers.summary,
  });
  jobRegistry.add({
    name: 'rotation',
    description: 'rotates certificates with automatic rotation on, before they expire',
    intervalSeconds: 3600,
    run: async () => ({ ...(await rotationWorker.runDue()), delivered: await dispatcher.deliverDue() }),
  });
  jobRegistry.add({
    name: 'revocation-checks',
    description: 'checks certificates other CAs issued against their OCSP responder or CRL',
    intervalSeconds: 6 * 3600,
    run: revocationChecks.runDue,
  });
  jobRegistry.add({
    name: 'source-runs',
    description: 'runs every discovery source (TLS scans, directories), one after another',
    intervalSeconds: 86_400,
    run: () => sources.runAll(systemContext(), claimSeconds),
  });
  const scheduler = createScheduler({
    registry: jobRegistry,
    execute: createJobRunner({ db, clock, log }),
    log,
    timeoutSeconds: claimSeconds,
    databaseUrl: config.database.kind === 'postgres' ? config.database.url : undefined,
  });
  const jobs = createJobService({ db, registry: jobRegistry, scheduler, audit, clock, timeoutSeconds: claimSeconds });
  return {
    database,
    db,
    audit,
    keys,
    identity,
    users,
    apiKeys,
    ldap,
    oidc,
    authorities,
    certificates,
    certificateStats: createCertificateStats({ db, clock }),
    revocation,
    issuers,
    pending,
    domains,
    requests,
    outbound,
    destinations,
    deployments,
    endpoints,
    sources,
    jobRegistry,
    scheduler,
    jobs,
    notifications,
    dispatcher,
    triggers,
    rotation,
    rotationWorker,
    revocationChecks,
    config,
    log,
    searchIndex,
    async close() {
      await searchIndex.stop();
      await keyPool.close();
      await database.close();
    },
  };
}

export type Services = Awaited<ReturnType<typeof createServices>>;
