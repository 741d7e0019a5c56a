// /api/v1/notifications: channels (with a test-send), rules, and the record of deliveries.
import { Type } from 'typebox';
import { contextOf } from '../../http/context.ts';
import type { App } from '../../http/types.ts';
import { IdParams } from '../authorities/schemas.ts';
import {
  ChannelList,
  ChannelSchema,
  CreateChannelBody,
  CreateRuleBody,
  DeliveryList,
  DeliveryQuery,
  PluginList,
  RuleList,
  RuleSchema,
  TestBody,
} from './schemas.ts';
import type { NotificationService } from './service.ts';

export function registerNotificationRoutes(app: App, { notifications }: { notifications: NotificationService }) {
  const tags = ['notifications'];
  const read = { permission: 'notification:read' as const };
  const manage = { permission: 'notification:manage' as const };
  const base = '/api/v1/notifications';
  app.get(`${base}/plugins`, { config: read, schema: { tags, response: { 200: PluginList } } }, async () => ({
    items: notifications.plugins(),
  }));
  app.get(`${base}/channels`, { config: read, schema: { tags, response: { 200: ChannelList } } }, async () => ({
    items: await notifications.listChannels(),
  }));
  app.post(
    `${base}/channels`,
    { config: manage, schema: { tags, body: CreateChannelBody, response: { 201: ChannelSchema } } },
    async (request, reply) =>
      reply.status(201).send(await notifications.createChannel(request.body, contextOf(request))),
  );
  app.get(
    `${base}/channels/:id`,
    { config: read, schema: { tags, params: IdParams, response: { 200: ChannelSchema } } },
    async (request) => notifications.getChannel(request.params.id),
  );
  app.delete(
    `${base}/channels/:id`,
    { config: manage, schema: { tags, params: IdParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await notifications.deleteChannel(request.params.id, contextOf(request));
      return reply.status(204).send(null);
    },
  );
  app.post(
    `${base}/channels/:id/test`,
    {
      config: manage,
      schema: { tags, params: IdParams, body: TestBody, response: { 200: Type.Object({ sent: Type.Boolean() }) } },
    },
    async (request) => notifications.test(request.params.id, request.body.recipient, contextOf(request)),
  );
  app.get(`${base}/rules`, { config: read, schema: { tags, response: { 200: RuleList } } }, async () => ({
    items: await notifications.listRules(),
  }));
  app.post(
    `${base}/rules`,
    { config: manage, schema: { tags, body: CreateRuleBody, response: { 201: RuleSchema } } },
    async (request, reply) => reply.status(201).send(await notifications.createRule(request.body, contextOf(request))),
  );
  app.delete(
    `${base}/rules/:id`,
    { config: manage, schema: { tags, params: IdParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await notifications.deleteRule(request.params.id, contextOf(request));
      return reply.status(204).send(null);
    },
  );
  app.get(
    `${base}/deliveries`,
    { config: read, schema: { tags, querystring: DeliveryQuery, response: { 200: DeliveryList } } },
    async (request) => ({ items: await notifications.deliveries(request.query) }),
  );
}
