// Deployments: a certificate (with its key, read and audited here, never by a plugin) delivered to destinations.
// Each destination is tried on its own and its outcome recorded (when, where, result, output): one unreachable
// host never stops the others. Rotation redeploys the replacement wherever the old certificate went.
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { exportPrivateKeyDer, exportPrivateKeyPem } from '../../crypto/keys.ts';
import type { Db } from '../../db/index.ts';
import type { CertificateRow, DeploymentRow, DestinationRow } from '../../db/schema.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { type AuditService, byCaller } from '../audit/service.ts';
import { requireOwnership } from '../identity/ownership.ts';
import type { KeyService } from '../keys/service.ts';
import type { RequestContext } from '../request-context.ts';
import { createInspector } from './inspect.ts';
import { normalisePem } from './layout.ts';
import type { DeployBundle, DeployResult } from './plugin.ts';
import type { DestinationService } from './service.ts';
import * as store from './store.ts';

/** How long a webhook's one-time key link works. */
const KEY_LINK_MINUTES = 60;

export interface Deployed {
  certificateId: number;
  destinationId: number;
  location: string;
  deployedAt: string;
}

export interface DeploymentDeps {
  db: Db;
  keys: Pick<KeyService, 'load'>;
  audit: Pick<AuditService, 'record'>;
  destinations: Pick<DestinationService, 'row' | 'configOf' | 'contextFor' | 'pluginOf'>;
  certificate: (id: number) => Promise<CertificateRow>;
  clock: () => Date;
  /** Told after each successful deployment (the lead wires it to endpoints). */
  onDeployed?: (d: Deployed) => Promise<void>;
}

export const deploymentView = (r: DeploymentRow, destinationName?: string) => ({
  id: r.id,
  certificateId: r.certificate_id,
  destinationId: r.destination_id,
  destination: destinationName ?? null,
  status: r.status as 'success' | 'failed',
  location: r.location,
  exitCode: r.exit_code,
  output: r.output,
  error: r.error,
  deployedAt: r.deployed_at,
  deployedBy: r.deployed_by,
});
export type DeploymentView = ReturnType<typeof deploymentView>;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function createDeploymentService(deps: DeploymentDeps) {
  const { db, keys, audit, destinations, clock } = deps;
  let baseUrl = '';

  /** The bundle for `cert`; reads (and audits) the key only when the plugin takes it. */
  async function bundleFor(cert: CertificateRow, dest: DestinationRow, takesKey: boolean, ctx: RequestContext) {
    const x = new X509Certificate(cert.certificate_der);
    const bundle: DeployBundle = {
      certificateId: cert.id,
      commonName: cert.common_name,
      serial: cert.serial,
      notAfter: cert.not_after,
      certificatePem: x.toString(),
      chainPem: cert.chain_pem ? normalisePem(cert.chain_pem) : '',
    };
    const linkHolder: { hash?: string; expiresAt?: string } = {};
    if (cert.private_key_id !== null && takesKey) {
      const target = { type: 'certificate', id: cert.id };
      await audit.record(
        db,
        byCaller(ctx, 'certificate.read-key', target, { purpose: 'deploy', destinationId: dest.id }),
      );
      const key = await keys.load(db, cert.private_key_id);
      bundle.keyPem = exportPrivateKeyPem(key);
      bundle.keyDer = exportPrivateKeyDer(key);
    } else if (cert.private_key_id !== null) {
      bundle.keyLink = async () => {
        const token = randomBytes(32).toString('base64url');
        linkHolder.hash = sha256(token);
        linkHolder.expiresAt = new Date(clock().getTime() + KEY_LINK_MINUTES * 60_000).toISOString();
        return { url: `${baseUrl}/api/v1/key-links`, token };
      };
    }
    return { bundle, linkHolder };
  }

  async function deployOne(cert: CertificateRow, dest: DestinationRow, ctx: RequestContext): Promise<DeploymentView> {
    let result: DeployResult | undefined;
    let error: string | null = null;
    let linkHolder: { hash?: string; expiresAt?: string } = {};
    // Everything that can fail for this destination alone (its sealed settings, the plugin) is caught here, so
    // the next destination is still tried.
    try {
      const plugin = destinations.pluginOf(dest);
      const config = await destinations.configOf(dest);
      const made = await bundleFor(cert, dest, plugin.takesKey(config.options), ctx);
      linkHolder = made.linkHolder;
      result = await plugin.deploy(made.bundle, config, destinations.contextFor(dest));
      if (!result.ok)
        error =
          result.exitCode === undefined
            ? 'the receiver refused it'
            : result.exitCode === null
              ? 'the command was stopped (time limit or signal) before it finished'
              : `the command exited with status ${result.exitCode}`;
    } catch (e) {
      error = (e as Error).message;
    }
    const deployedAt = clock().toISOString();
    const ok = result?.ok === true;
    const id = await db.transaction().execute(async (trx) => {
      const newId = await store.insertDeployment(trx, {
        certificate_id: cert.id,
        destination_id: dest.id,
        status: ok ? 'success' : 'failed',
        location: result?.location ?? null,
        exit_code: result?.exitCode ?? null,
        output: result?.output ?? null,
        error,
        deployed_at: deployedAt,
        deployed_by: ctx.principal.actor,
        key_token_hash: linkHolder.hash ?? null,
        key_token_expires_at: linkHolder.expiresAt ?? null,
      });
      const details = { destinationId: dest.id, deploymentId: newId, location: result?.location, error };
      await audit.record(
        trx,
        byCaller(ctx, 'certificate.deploy', { type: 'certificate', id: cert.id }, details, ok ? 'success' : 'failure'),
      );
      return newId;
    });
    if (ok)
      await deps.onDeployed?.({
        certificateId: cert.id,
        destinationId: dest.id,
        location: result!.location,
        deployedAt,
      });
    const [row] = (await store.listDeploymentsOf(db, cert.id, 50)).filter((r) => r.id === id);
    return deploymentView(row!, dest.name);
  }

  /** Looks every destination up before anything is deployed; throws ValidationError naming `field[i]`. */
  async function rowsOf(ids: readonly number[], field: string): Promise<DestinationRow[]> {
    const rows: DestinationRow[] = [];
    for (const [i, id] of ids.entries()) {
      try {
        rows.push(await destinations.row(id));
      } catch (e) {
        if (e instanceof NotFoundError) throw new ValidationError(`${field}[${i}]`, `destination ${id} does not exist`);
        throw e;
      }
    }
    return rows;
  }

  async function deployRows(cert: CertificateRow, rows: DestinationRow[], ctx: RequestContext) {
    const out: DeploymentView[] = [];
    for (const dest of rows) out.push(await deployOne(cert, dest, ctx));
    return out;
  }

  return {
    /** Where key links point (the address users reach this server at, known once it listens). */
    setBaseUrl(url: string) {
      baseUrl = url.replace(/\/+$/, '');
    },

    /** Throws ValidationError when a destination id does not exist; used before issuing with `destinations`. */
    checkTargets: async (ids: readonly number[] | undefined, field = 'destinations') => {
      await rowsOf(ids ?? [], field);
    },

    /**
     * Deploys a certificate to each destination (all of the certificate's previous ones when `ids` is absent).
     * Per-destination failures are recorded and returned, not thrown. Throws NotFoundError, ForbiddenError,
     * ValidationError (an unknown destination, before anything is deployed).
     */
    async deploy(certificateId: number, ids: readonly number[] | undefined, ctx: RequestContext) {
      const cert = await deps.certificate(certificateId);
      requireOwnership(ctx.principal, certificateId, cert.owner, 'deploy it');
      const targets = ids ?? (await store.destinationIdsOf(db, certificateId));
      if (targets.length === 0)
        throw new ValidationError(
          'destinations',
          `certificate ${certificateId} has no deployments yet: name the destinations`,
        );
      return deployRows(cert, await rowsOf(targets, 'destinations'), ctx);
    },

    /** Deploys the replacement of a rotated certificate wherever the old one was deployed (the rotation's caller). */
    async redeployReplacement(oldCertificateId: number, newCertificateId: number, ctx: RequestContext) {
      const ids = await store.destinationIdsOf(db, oldCertificateId);
      if (ids.length === 0) return [];
      return deployRows(await deps.certificate(newCertificateId), await rowsOf(ids, 'destinations'), ctx);
    },

    /**
     * Deploys a certificate that was just issued: a replacement goes wherever the one it replaces went, any other
     * to the `destinations` it was issued with. Returns [] when there is nowhere to deploy.
     */
    /** Deploys a new certificate (its id, or the row just stored, which saves reading it again). */
    async deployNew(certificate: number | CertificateRow, ctx: RequestContext) {
      const cert = typeof certificate === 'number' ? await deps.certificate(certificate) : certificate;
      const certificateId = cert.id;
      if (cert.replaces_id !== null) return this.redeployReplacement(cert.replaces_id, certificateId, ctx);
      const ids = (JSON.parse(cert.issue_params ?? '{}') as { destinations?: number[] }).destinations ?? [];
      return ids.length ? deployRows(cert, await rowsOf(ids, 'destinations'), ctx) : [];
    },

    inspect: createInspector(deps),

    /** Every deployment of a certificate, newest first. */
    async listForCertificate(certificateId: number) {
      await deps.certificate(certificateId);
      const rows = await store.listDeploymentsOf(db, certificateId);
      const names = new Map<number, string>();
      for (const id of new Set(rows.map((r) => r.destination_id))) names.set(id, (await destinations.row(id)).name);
      return rows.map((r) => deploymentView(r, names.get(r.destination_id)));
    },

    /** Redeems a one-time key link: the key PEM, audited; NotFoundError when unknown, used or expired. */
    async redeemKeyLink(token: string, clientAddress?: string): Promise<string> {
      const taken = await store.takeKeyToken(db, sha256(token), clock().toISOString());
      const cert = taken ? await deps.certificate(taken.certificate_id) : undefined;
      if (!taken || !cert || cert.private_key_id === null) throw new NotFoundError('key link', 'given');
      const target = { type: 'certificate', id: cert.id };
      await audit.record(db, {
        actor: `key-link:${taken.id}`,
        action: 'certificate.read-key',
        target,
        clientAddress,
        outcome: 'success',
        details: { purpose: 'deploy', deploymentId: taken.id },
      });
      return exportPrivateKeyPem(await keys.load(db, cert.private_key_id));
    },
  };
}

export type DeploymentService = ReturnType<typeof createDeploymentService>;
