// /api/v1/certificates: issue, import, list, show, export, revoke, rotate, archive, update.
import { Type } from 'typebox';
import { contextOf } from '../../http/context.ts';
import { sendBytes } from '../../http/reply.ts';
import type { App } from '../../http/types.ts';
import type { Services } from '../../services.ts';
import { IdParams } from '../authorities/schemas.ts';
import { DeploymentSchema } from '../destinations/schemas.ts';
import { PendingSchema } from '../issuers/schemas.ts';
import { HeldReply } from '../requests/schemas.ts';
import {
  CertificateDetail,
  CertificateList,
  CertificateWithPem,
  ExportBody,
  ImportBody,
  IssueBody,
  ListQuery,
  RevokeBody,
  RotateBody,
  UpdateBody,
} from './schemas.ts';
import { certificateDetail, certificateSummary, certificateWithPem } from './views.ts';

const PendingReply = Type.Object({
  status: Type.Literal('pending-issuance'),
  pendingCertificate: PendingSchema,
});
const Accepted = Type.Union([HeldReply, PendingReply], {
  description: 'held for approval (pending-approval), or the external issuer is still working (pending-issuance)',
});

const IssuedReply = Type.Intersect([
  CertificateWithPem,
  Type.Object({
    deployments: Type.Optional(Type.Array(DeploymentSchema, { description: 'one per destination named' })),
  }),
]);

const FileReply = {
  description: 'the file: PEM text, DER, or PKCS#12 bytes',
  content: {
    'application/x-pem-file': { schema: Type.String() },
    'application/pkix-cert': { schema: Type.String({ format: 'binary' }) },
    'application/pkcs8': { schema: Type.String({ format: 'binary' }) },
    'application/x-pkcs12': { schema: Type.String({ format: 'binary' }) },
  },
};

export function registerCertificateRoutes(
  app: App,
  {
    certificates,
    audit,
    requests,
    pending,
    deployments,
  }: Pick<Services, 'certificates' | 'audit' | 'requests' | 'pending' | 'deployments'>,
): void {
  const tags = ['certificates'];
  const now = () => new Date();
  const one = { 200: CertificateWithPem };

  app.post(
    '/api/v1/certificates',
    {
      config: { permission: 'certificate:issue' },
      schema: { tags, body: IssueBody, response: { 201: IssuedReply, 202: Accepted } },
    },
    async (request, reply) => {
      await deployments.checkTargets(request.body.destinations);
      const outcome = await requests.submit(request.body, contextOf(request));
      if ('request' in outcome)
        return reply.status(202).send({ status: 'pending-approval' as const, request: outcome.request });
      if ('pendingId' in outcome) {
        const pendingCertificate = await pending.get(outcome.pendingId);
        return reply.status(202).send({ status: 'pending-issuance' as const, pendingCertificate });
      }
      const deployed = await deployments.deployNew(outcome.certificate, contextOf(request));
      return reply.status(201).send({
        ...certificateWithPem(outcome.certificate, now()),
        ...(deployed.length ? { deployments: deployed } : {}),
      });
    },
  );
  app.post(
    '/api/v1/certificates/import',
    {
      config: { permission: 'certificate:import' },
      schema: { tags, body: ImportBody, response: { 200: CertificateWithPem, 201: CertificateWithPem } },
    },
    async (request, reply) => {
      const { row, created } = await certificates.import(request.body, contextOf(request));
      return reply.status(created ? 201 : 200).send(certificateWithPem(row, now()));
    },
  );
  app.get(
    '/api/v1/certificates',
    {
      config: { permission: 'certificate:read' },
      schema: { tags, querystring: ListQuery, response: { 200: CertificateList } },
    },
    async (request) => {
      const { rows, next, total } = await certificates.list(request.query);
      const t = now();
      return { items: rows.map((r) => certificateSummary(r, t)), next, ...(total !== undefined ? { total } : {}) };
    },
  );
  app.get(
    '/api/v1/certificates/:id',
    {
      config: { permission: 'certificate:read' },
      schema: { tags, params: IdParams, response: { 200: CertificateDetail } },
    },
    async (request) => {
      const row = await certificates.get(request.params.id);
      return certificateDetail(row, now(), await audit.forTarget('certificate', row.id));
    },
  );
  app.patch(
    '/api/v1/certificates/:id',
    {
      config: { permission: 'certificate:update' },
      schema: { tags, params: IdParams, body: UpdateBody, response: one },
    },
    async (request) =>
      certificateWithPem(await certificates.update(request.params.id, request.body, contextOf(request)), now()),
  );
  app.post(
    '/api/v1/certificates/:id/export',
    {
      config: { permission: 'certificate:read' },
      schema: { tags, params: IdParams, body: ExportBody, response: { 200: FileReply } },
    },
    async (request, reply) => {
      const file = await certificates.export(request.params.id, request.body, contextOf(request));
      reply
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .header('cache-control', 'no-store');
      return sendBytes(reply, file.contentType, file.body);
    },
  );
  app.post(
    '/api/v1/certificates/:id/revoke',
    {
      config: { permission: 'certificate:revoke' },
      schema: { tags, params: IdParams, body: RevokeBody, response: one },
    },
    async (request) =>
      certificateWithPem(
        await certificates.revoke(request.params.id, request.body.reason ?? 'unspecified', contextOf(request)),
        now(),
      ),
  );
  app.post(
    '/api/v1/certificates/:id/rotate',
    {
      config: { permission: 'certificate:rotate' },
      schema: { tags, params: IdParams, body: RotateBody, response: { 201: CertificateWithPem, 202: PendingReply } },
    },
    async (request, reply) => {
      const outcome = await certificates.rotate(request.params.id, request.body, contextOf(request));
      if ('pendingId' in outcome) {
        const pendingCertificate = await pending.get(outcome.pendingId);
        return reply.status(202).send({ status: 'pending-issuance' as const, pendingCertificate });
      }
      return reply.status(201).send(certificateWithPem(outcome.certificate, now()));
    },
  );
  app.post(
    '/api/v1/certificates/:id/archive',
    { config: { permission: 'certificate:update' }, schema: { tags, params: IdParams, response: one } },
    async (request) => certificateWithPem(await certificates.archive(request.params.id, contextOf(request)), now()),
  );
}
