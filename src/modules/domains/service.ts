// Registered domains: admins and operators list the domains Tarsier issues for and mark some sensitive
// (e.g. payments.example.com). classify() tells the request flow which names need approval and why.
import { normalizeDnsName } from '../../crypto/names.ts';
import type { Db } from '../../db/index.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import { type AuditService, byCaller } from '../audit/service.ts';
import { dnsWithin } from '../authorities/policy.ts';
import type { RequestContext } from '../request-context.ts';
import * as store from './store.ts';

export interface HeldName {
  name: string;
  why: string;
}

type DomainRow = Awaited<ReturnType<typeof store.listDomains>>[number];

export const domainView = (d: DomainRow) => ({
  id: d.id,
  name: d.name,
  sensitive: d.sensitive === 1,
  description: d.description,
  createdAt: d.created_at,
  createdBy: d.created_by,
});

export function createDomainService({
  db,
  audit,
  clock,
}: {
  db: Db;
  audit: Pick<AuditService, 'record'>;
  clock: () => Date;
}) {
  const record = (ctx: RequestContext, action: string, id: number, details: Record<string, unknown>) =>
    audit.record(db, byCaller(ctx, action, { type: 'domain', id }, details));

  return {
    list: async () => (await store.listDomains(db)).map(domainView),

    /** Registers a domain; a leading `*.` is accepted and dropped (a domain covers its subdomains). */
    async create(input: { name: string; sensitive?: boolean; description?: string }, ctx: RequestContext) {
      const name = normalizeDnsName(input.name.replace(/^\*\./, ''), 'name');
      if (await store.findDomainByName(db, name)) throw new ConflictError(`domain ${name} is registered already`);
      const id = await store.insertDomain(db, {
        name,
        sensitive: input.sensitive ? 1 : 0,
        description: input.description ?? null,
        created_at: clock().toISOString(),
        created_by: ctx.principal.actor,
      });
      await record(ctx, 'domain.create', id, { name, sensitive: Boolean(input.sensitive) });
      return domainView((await store.findDomain(db, id))!);
    },

    async update(id: number, input: { sensitive?: boolean; description?: string }, ctx: RequestContext) {
      if (!(await store.findDomain(db, id))) throw new NotFoundError('domain', id);
      await store.updateDomain(db, id, {
        ...(input.sensitive !== undefined ? { sensitive: input.sensitive ? 1 : 0 } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
      });
      await record(ctx, 'domain.update', id, input);
      return domainView((await store.findDomain(db, id))!);
    },

    async remove(id: number, ctx: RequestContext) {
      const d = await store.findDomain(db, id);
      if (!d) throw new NotFoundError('domain', id);
      await store.deleteDomain(db, id);
      await record(ctx, 'domain.delete', id, { name: d.name });
    },

    /**
     * The names that need approval: under a sensitive domain, or (when `unregistered` is 'approve') outside every
     * registered domain; and those refused outright when `unregistered` is 'deny'.
     */
    async classify(
      names: string[],
      unregistered: 'allow' | 'approve' | 'deny',
    ): Promise<{ held: HeldName[]; refused: string[] }> {
      const domains = await store.listDomains(db);
      const held: HeldName[] = [];
      const refused: string[] = [];
      for (const name of names) {
        const matches = domains.filter((d) => dnsWithin(name, d.name));
        const sensitive = matches.find((d) => d.sensitive === 1);
        if (sensitive) held.push({ name, why: `${sensitive.name} is a sensitive domain` });
        else if (matches.length === 0 && unregistered === 'approve')
          held.push({ name, why: 'it is outside every registered domain' });
        else if (matches.length === 0 && unregistered === 'deny') refused.push(name);
      }
      return { held, refused };
    },
  };
}

export type DomainService = ReturnType<typeof createDomainService>;
