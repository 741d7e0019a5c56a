// Queries of notification channels, rules, deliveries and marks, and the lookups that find who to tell: the
// e-mail addresses behind an owner (a user, or every member of a team role).
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../../db/index.ts';
import type {
  NotificationChannelsTable,
  NotificationDeliveriesTable,
  NotificationRulesTable,
} from '../../db/schema.ts';

export type ChannelRow = Selectable<NotificationChannelsTable>;
export type RuleRow = Selectable<NotificationRulesTable>;
export type DeliveryRow = Selectable<NotificationDeliveriesTable>;

export const findChannel = (db: Db, id: number) =>
  db.selectFrom('notification_channels').selectAll().where('id', '=', id).executeTakeFirst();
export const findChannelByName = (db: Db, name: string) =>
  db.selectFrom('notification_channels').selectAll().where('name', '=', name).executeTakeFirst();
export const listChannels = (db: Db) => db.selectFrom('notification_channels').selectAll().orderBy('name').execute();

export async function insertChannel(db: Db, row: Insertable<NotificationChannelsTable>): Promise<number> {
  return (await db.insertInto('notification_channels').values(row).returning('id').executeTakeFirstOrThrow()).id;
}
export async function deleteChannel(db: Db, id: number): Promise<void> {
  await db.deleteFrom('notification_deliveries').where('channel_id', '=', id).execute();
  await db.deleteFrom('notification_rules').where('channel_id', '=', id).execute();
  await db.deleteFrom('notification_channels').where('id', '=', id).execute();
}

export const listRules = (db: Db) => db.selectFrom('notification_rules').selectAll().orderBy('id').execute();
export const findRule = (db: Db, id: number) =>
  db.selectFrom('notification_rules').selectAll().where('id', '=', id).executeTakeFirst();
export async function insertRule(db: Db, row: Insertable<NotificationRulesTable>): Promise<number> {
  return (await db.insertInto('notification_rules').values(row).returning('id').executeTakeFirstOrThrow()).id;
}
export async function deleteRule(db: Db, id: number): Promise<void> {
  await db.deleteFrom('notification_rules').where('id', '=', id).execute();
}

/** Channels through which owners are told (by their users' e-mail addresses). */
export const ownerChannels = (db: Db) =>
  db.selectFrom('notification_channels').selectAll().where('owners', '=', 1).orderBy('id').execute();

/** E-mail addresses of an owner: the user of that name, or the members of the team role of that name. */
export async function ownerAddresses(db: Db, owner: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('email')
    .where('disabled_at', 'is', null)
    .where('email', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('username', '=', owner),
        eb(
          'id',
          'in',
          eb
            .selectFrom('user_roles')
            .innerJoin('roles', 'roles.id', 'user_roles.role_id')
            .select('user_roles.user_id')
            .where('roles.name', '=', owner),
        ),
      ]),
    )
    .execute();
  return [...new Set(rows.map((r) => r.email!))].sort();
}

/**
 * Records that `eventKey` was given for each subject, and returns the subjects this call recorded: a subject
 * recorded before (by this process or another, at the same moment or long ago) is left out. This is what makes a
 * notice go out once.
 */
export async function claimMarks(db: Db, subjects: string[], eventKey: string, at: string): Promise<Set<string>> {
  const won = new Set<string>();
  for (const subject of subjects) {
    const r = await db
      .insertInto('notification_marks')
      .values({ subject, event_key: eventKey, created_at: at })
      .onConflict((oc) => oc.columns(['subject', 'event_key']).doNothing())
      .returning('subject')
      .executeTakeFirst();
    if (r) won.add(subject);
  }
  return won;
}

export async function insertDelivery(db: Db, row: Insertable<NotificationDeliveriesTable>): Promise<number> {
  return (await db.insertInto('notification_deliveries').values(row).returning('id').executeTakeFirstOrThrow()).id;
}

export const dueDeliveryIds = async (db: Db, now: string, limit: number) =>
  (
    await db
      .selectFrom('notification_deliveries')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
      .orderBy('id')
      .limit(limit)
      .execute()
  ).map((r) => r.id);

/** Takes a delivery for this process until `until`, unless another holds it; true when taken. */
export async function claimDelivery(db: Db, id: number, now: string, until: string): Promise<boolean> {
  const r = await db
    .updateTable('notification_deliveries')
    .set({ locked_until: until })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export const findDelivery = (db: Db, id: number) =>
  db.selectFrom('notification_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

export async function updateDelivery(db: Db, id: number, changes: Updateable<NotificationDeliveriesTable>) {
  await db.updateTable('notification_deliveries').set(changes).where('id', '=', id).execute();
}

export function listDeliveries(db: Db, q: { status?: string; event?: string; limit: number }) {
  let query = db.selectFrom('notification_deliveries').selectAll().orderBy('id', 'desc').limit(q.limit);
  if (q.status) query = query.where('status', '=', q.status as DeliveryRow['status']);
  if (q.event) query = query.where('event', '=', q.event);
  return query.execute();
}
