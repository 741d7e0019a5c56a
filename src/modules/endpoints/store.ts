// Queries of endpoints and of the certificates each endpoint has shown.
import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { EndpointStatus, EndpointsTable } from '../../db/schema.ts';

export function findEndpoint(db: Db, id: number) {
  return db.selectFrom('endpoints').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findByLocation(db: Db, location: string) {
  return db.selectFrom('endpoints').selectAll().where('location', '=', location).executeTakeFirst();
}

export async function insertEndpoint(db: Db, row: Insertable<EndpointsTable>): Promise<number> {
  const r = await db.insertInto('endpoints').values(row).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function updateEndpoint(db: Db, id: number, changes: Updateable<EndpointsTable>): Promise<void> {
  await db.updateTable('endpoints').set(changes).where('id', '=', id).execute();
}

/** Records that the endpoint showed the certificate at `at` (first sighting inserts, later ones extend). */
export async function touchSighting(db: Db, endpointId: number, certificateId: number, at: string): Promise<void> {
  const r = await db
    .updateTable('endpoint_certificates')
    .set({ last_seen_at: at })
    .where('endpoint_id', '=', endpointId)
    .where('certificate_id', '=', certificateId)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) > 0) return;
  await db
    .insertInto('endpoint_certificates')
    .values({ endpoint_id: endpointId, certificate_id: certificateId, first_seen_at: at, last_seen_at: at })
    .execute();
}

/** Endpoints a source saw before `since` but not since: they disappeared. Returns how many were marked. */
export async function markGoneSince(db: Db, sourceId: number, since: string, at: string): Promise<number> {
  const r = await db
    .updateTable('endpoints')
    .set({ status: 'gone', gone_at: at })
    .where('source_id', '=', sourceId)
    .where('status', '!=', 'gone')
    .where('last_seen_at', '<', since)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export interface EndpointFilter {
  status?: EndpointStatus;
  sourceId?: number;
  kind?: EndpointsTable['kind'];
  q?: string;
  after?: number;
  limit: number;
}

export function listEndpoints(db: Db, f: EndpointFilter) {
  let q = db.selectFrom('endpoints').selectAll().orderBy('id').limit(f.limit);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.sourceId !== undefined) q = q.where('source_id', '=', f.sourceId);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.q) q = q.where('location', 'like', `%${f.q.replace(/[\\%_]/g, '')}%`);
  if (f.after !== undefined) q = q.where('id', '>', f.after);
  return q.execute();
}

export function sightingsOfEndpoint(db: Db, endpointId: number) {
  return db
    .selectFrom('endpoint_certificates')
    .selectAll()
    .where('endpoint_id', '=', endpointId)
    .orderBy('first_seen_at')
    .execute();
}

/** Every endpoint that has shown the certificate, with when. */
export function endpointsOfCertificate(db: Db, certificateId: number) {
  return db
    .selectFrom('endpoint_certificates as s')
    .innerJoin('endpoints as e', 'e.id', 's.endpoint_id')
    .selectAll('e')
    .select(['s.first_seen_at as shown_from', 's.last_seen_at as shown_until'])
    .where('s.certificate_id', '=', certificateId)
    .orderBy('e.id')
    .execute();
}
