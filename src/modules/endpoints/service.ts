// Endpoints: the places where certificates are served or stored, with when each certificate was first and last
// seen there. Sources record what they find through observe(); deployments will record what they put in place
// the same way. A change of certificate, and a disappearance, stay visible on the endpoint.
import type { Db } from '../../db/index.ts';
import type { EndpointRow } from '../../db/schema.ts';
import { NotFoundError } from '../../errors.ts';
import { describePlace, type EndpointPlace, locationOf } from './place.ts';
import * as store from './store.ts';

export type { EndpointPlace };

export interface Observation {
  endpointId: number;
  /** `new`: first sighting of the place; `same`: the certificate it showed before; `changed`: a different one. */
  change: 'new' | 'same' | 'changed';
}

export const endpointView = (r: EndpointRow) => ({
  id: r.id,
  kind: r.kind,
  location: r.location,
  host: r.host,
  port: r.port,
  serverName: r.server_name,
  path: r.path,
  destinationId: r.destination_id,
  sourceId: r.source_id,
  status: r.status,
  certificateId: r.certificate_id,
  previousCertificateId: r.previous_certificate_id,
  problems: JSON.parse(r.problems) as string[],
  firstSeenAt: r.first_seen_at,
  lastSeenAt: r.last_seen_at,
  changedAt: r.changed_at,
  goneAt: r.gone_at,
});

function placeColumns(p: EndpointPlace) {
  return {
    kind: p.kind,
    location: locationOf(p),
    host: p.kind === 'tls' ? p.host : null,
    port: p.kind === 'tls' ? p.port : null,
    server_name: p.kind === 'tls' ? (p.serverName ?? null) : null,
    path: p.kind === 'tls' ? null : p.path,
    destination_id: p.kind === 'destination' ? p.destinationId : null,
  };
}

export function createEndpointService({ db }: { db: Db }) {
  async function get(id: number) {
    const r = await store.findEndpoint(db, id);
    if (!r) throw new NotFoundError('endpoint', id);
    return r;
  }

  return {
    /**
     * Records that `certificateId` was seen at `place` at `at`, in the caller's transaction `exec`. `sourceId`
     * names the source that looked (null for a deployment); `problems` are what was wrong there. Returns the
     * endpoint and whether its certificate is new, the same or changed. Example:
     * `observe(trx, { kind: 'destination', destinationId: 3, path: '/etc/nginx/www.pem' }, 42, { at })`.
     */
    async observe(
      exec: Db,
      place: EndpointPlace,
      certificateId: number,
      opts: { at: string; sourceId?: number | null; problems?: string[] },
    ): Promise<Observation> {
      const cols = placeColumns(place);
      const problems = JSON.stringify(opts.problems ?? []);
      const existing = await store.findByLocation(exec, cols.location);
      let endpointId: number;
      let change: Observation['change'];
      if (!existing) {
        endpointId = await store.insertEndpoint(exec, {
          ...cols,
          source_id: opts.sourceId ?? null,
          status: 'current',
          certificate_id: certificateId,
          problems,
          first_seen_at: opts.at,
          last_seen_at: opts.at,
        });
        change = 'new';
      } else {
        endpointId = existing.id;
        change = existing.certificate_id === certificateId ? 'same' : 'changed';
        await store.updateEndpoint(exec, existing.id, {
          status: change === 'changed' ? 'changed' : 'current',
          certificate_id: certificateId,
          ...(change === 'changed' ? { previous_certificate_id: existing.certificate_id, changed_at: opts.at } : {}),
          ...(opts.sourceId !== undefined ? { source_id: opts.sourceId } : {}),
          problems,
          last_seen_at: opts.at,
          gone_at: null,
        });
      }
      await store.touchSighting(exec, endpointId, certificateId, opts.at);
      return { endpointId, change };
    },

    /** Marks the endpoints `sourceId` saw before `since` and not since as gone; returns how many. */
    markGone: (exec: Db, sourceId: number, since: string, at: string) => store.markGoneSince(exec, sourceId, since, at),

    list: async (f: store.EndpointFilter) => (await store.listEndpoints(db, f)).map(endpointView),

    /** One endpoint with every certificate it has shown. Throws NotFoundError. */
    async get(id: number) {
      const r = await get(id);
      const history = await store.sightingsOfEndpoint(db, id);
      return {
        ...endpointView(r),
        certificates: history.map((h) => ({
          certificateId: h.certificate_id,
          firstSeenAt: h.first_seen_at,
          lastSeenAt: h.last_seen_at,
        })),
      };
    },

    /** Where a certificate has been seen: each endpoint, whether it still shows it, and when it did. */
    async ofCertificate(certificateId: number) {
      const rows = await store.endpointsOfCertificate(db, certificateId);
      return rows.map((r) => ({
        ...endpointView(r),
        current: r.certificate_id === certificateId && r.status !== 'gone',
        shownFrom: r.shown_from,
        shownUntil: r.shown_until,
      }));
    },

    describePlace,
  };
}

export type EndpointService = ReturnType<typeof createEndpointService>;
