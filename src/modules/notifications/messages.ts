// Renders a notice once, for every channel: a subject line, plain text and HTML listing what it is about, and
// always what to do next, so a message is useful to someone who has never opened Tarsier.
export const NOTIFICATION_EVENTS = [
  'expiry',
  'rotated',
  'rotation-failed',
  'rotation-overdue',
  'revoked',
  'authority-expiry',
  'not-deployed',
  'stale-deployment',
  'summary',
  'test',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** One thing a notice is about: a certificate or an authority, with what rules match on. */
export interface NoticeItem {
  kind: 'certificate' | 'authority' | 'summary';
  id: number;
  name: string;
  owner: string | null;
  authorityId: number | null;
  labels: Record<string, string>;
  notAfter: string;
  /** event-specific facts: the replacement's id, the error, the revocation reason, … */
  detail?: string;
  /** lines of a summary */
  facts?: Record<string, number | string>;
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
  payload: Record<string, unknown>;
}

const DAY = 86_400_000;
const daysLeft = (notAfter: string, now: Date) => Math.max(0, Math.floor((Date.parse(notAfter) - now.getTime()) / DAY));
const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function describe(item: NoticeItem, now: Date): string {
  const what = item.kind === 'authority' ? `authority ${item.name}` : `${item.name || '(no common name)'}`;
  const when = `expires ${item.notAfter.slice(0, 10)} (in ${daysLeft(item.notAfter, now)} days)`;
  return `${what} [${item.kind} ${item.id}], ${when}${item.owner ? `, owner ${item.owner}` : ''}${item.detail ? ` — ${item.detail}` : ''}`;
}

const HEADLINES: Record<NotificationEvent, (n: number) => string> = {
  expiry: (n) => `${n} certificate${n === 1 ? '' : 's'} will expire soon`,
  rotated: (n) => `${n} certificate${n === 1 ? ' was' : 's were'} rotated`,
  'rotation-failed': (n) => `Automatic rotation failed for ${n} certificate${n === 1 ? '' : 's'}`,
  'rotation-overdue': (n) => `Automatic rotation is overdue for ${n} certificate${n === 1 ? '' : 's'}`,
  revoked: (n) => `${n} certificate${n === 1 ? ' was' : 's were'} revoked`,
  'authority-expiry': (n) => `${n} authorit${n === 1 ? 'y' : 'ies'} will expire soon`,
  'not-deployed': (n) => `${n} new certificate${n === 1 ? ' was' : 's were'} issued but not deployed`,
  'stale-deployment': (n) => `${n} place${n === 1 ? '' : 's'} still serve${n === 1 ? 's' : ''} an older certificate`,
  summary: () => 'Tarsier security summary',
  test: () => 'Tarsier test message',
};

const NEXT_STEPS: Record<NotificationEvent, string[]> = {
  expiry: [
    'Rotate each certificate before it expires: `tarsier cert rotate <id>` (or POST /api/v1/certificates/<id>/rotate).',
    'Deploy the new certificate wherever the old one is used, then check the service presents it.',
    'To stop doing this by hand, turn on automatic rotation: `tarsier cert rotation <id> --on`.',
  ],
  rotated: [
    'Nothing to do where Tarsier deploys the certificate for you.',
    'Elsewhere, fetch the new certificate (`tarsier cert export <new id>`) and deploy it before the old one expires.',
  ],
  'rotation-failed': [
    'Read the error above; it is usually the issuer or the authority refusing (policy, credentials, reachability).',
    'Tarsier tries again automatically. After fixing the cause, `tarsier cert rotate <id>` rotates at once.',
  ],
  'rotation-overdue': [
    'The certificate should have been renewed by now. Check `tarsier job list` (is the rotation job running?) and the issuer.',
    'Rotate by hand with `tarsier cert rotate <id>` if the expiry is close.',
  ],
  revoked: [
    'A revoked certificate is rejected by clients that check. Issue a replacement now (`tarsier cert rotate <id>`) and deploy it.',
    'If you did not expect this, find out who revoked it: `tarsier audit list --target certificate:<id>`.',
  ],
  'authority-expiry': [
    'Certificates cannot outlive their authority. Create a successor authority and move issuance to it well before the date.',
  ],
  'not-deployed': [
    'The replacement exists but is not where the old certificate is used. Check the destination errors in Tarsier and deploy it.',
  ],
  'stale-deployment': [
    'A destination or endpoint still presents the older certificate. Redeploy, reload the service, then check it again.',
  ],
  summary: ['Review the expiring and failing items in Tarsier (`tarsier cert list --expiring 30`).'],
  test: ['Nothing: this message only proves the channel works.'],
};

/** Renders one message about `items` for `event`. */
export function renderMessage(event: NotificationEvent, items: NoticeItem[], now: Date): RenderedMessage {
  const subject = `[Tarsier] ${HEADLINES[event](items.length)}`;
  const lines = items.map((i) =>
    i.facts
      ? Object.entries(i.facts)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n')
      : describe(i, now),
  );
  const steps = NEXT_STEPS[event];
  const text = [
    HEADLINES[event](items.length),
    '',
    ...lines.map((l) => `- ${l.replace(/\n/g, '\n  ')}`),
    '',
    'What to do next:',
    ...steps.map((s) => `- ${s}`),
    '',
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family: sans-serif">',
    `<h2>${escapeHtml(HEADLINES[event](items.length))}</h2>`,
    `<ul>${lines.map((l) => `<li>${escapeHtml(l).replace(/\n/g, '<br>')}</li>`).join('')}</ul>`,
    '<h3>What to do next</h3>',
    `<ol>${steps.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ol>`,
    '</body></html>',
  ].join('\n');
  const payload = {
    items: items.map((i) => ({
      kind: i.kind,
      id: i.id,
      name: i.name,
      owner: i.owner,
      notAfter: i.notAfter,
      detail: i.detail ?? null,
      ...(i.facts ? { facts: i.facts } : {}),
    })),
  };
  return { subject, text, html, payload };
}
