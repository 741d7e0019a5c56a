import { describe, expect, it } from 'vitest';
import { ruleMatches } from './dispatch.ts';
import { type NoticeItem, renderMessage } from './messages.ts';

const item = (over: Partial<NoticeItem> = {}): NoticeItem => ({
  kind: 'certificate',
  id: 7,
  name: 'www.example.com',
  owner: 'payments',
  authorityId: 3,
  labels: { team: 'payments', env: 'prod' },
  notAfter: '2026-03-11T00:00:00.000Z',
  ...over,
});

describe('notification rules', () => {
  it('match by owner, authority, label or all, and nothing else', () => {
    expect(ruleMatches({ match: 'all', value: '' }, item())).toBe(true);
    expect(ruleMatches({ match: 'owner', value: 'payments' }, item())).toBe(true);
    expect(ruleMatches({ match: 'owner', value: 'pay' }, item())).toBe(false);
    expect(ruleMatches({ match: 'authority', value: '3' }, item())).toBe(true);
    expect(ruleMatches({ match: 'authority', value: '3' }, item({ kind: 'authority', id: 3, authorityId: 3 }))).toBe(
      true,
    );
    expect(ruleMatches({ match: 'authority', value: '4' }, item())).toBe(false);
    expect(ruleMatches({ match: 'label', value: 'env=prod' }, item())).toBe(true);
    expect(ruleMatches({ match: 'label', value: 'env=dev' }, item())).toBe(false);
    expect(ruleMatches({ match: 'label', value: 'team=' }, item({ labels: {} }))).toBe(false);
    expect(ruleMatches({ match: 'regex', value: '.*' }, item())).toBe(false);
  });
});

describe('rendered messages', () => {
  const now = new Date('2026-03-01T00:00:00Z');
  it('list every item with days left and say what to do next, in text and escaped HTML', () => {
    const m = renderMessage('expiry', [item(), item({ id: 8, name: '<script>x</script>', owner: null })], now);
    expect(m.subject).toBe('[Tarsier] 2 certificates will expire soon');
    expect(m.text).toContain('www.example.com [certificate 7], expires 2026-03-11 (in 10 days), owner payments');
    expect(m.text).toContain('What to do next:');
    expect(m.html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(m.html).not.toContain('<script>');
    expect(m.payload.items).toHaveLength(2);
  });
  it('speak in the singular for one item', () => {
    expect(renderMessage('rotated', [item({ detail: 'replaced by certificate 9' })], now).subject).toBe(
      '[Tarsier] 1 certificate was rotated',
    );
  });
});
