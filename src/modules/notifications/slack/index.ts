// Slack-compatible incoming webhooks (Slack, Mattermost, Rocket.Chat accept the same `{"text": …}` body). The
// webhook URL carries its token, so it is a secret.
import { Type } from 'typebox';
import { postJson } from '../http-post.ts';
import type { NotificationPlugin } from '../plugin.ts';

export const slackChannel: NotificationPlugin<Record<string, never>, { url: string }> = {
  type: 'slack',
  description: 'A Slack-compatible incoming webhook: one message per event to one channel.',
  addressed: false,
  options: Type.Object({}, { additionalProperties: false }),
  secrets: Type.Object(
    { url: Type.String({ pattern: '^https?://', description: 'the incoming webhook URL (it carries the token)' }) },
    { additionalProperties: false },
  ),
  async send(message, { secrets }) {
    await postJson(secrets.url, JSON.stringify({ text: `*${message.subject}*\n${message.text}` }));
  },
};
