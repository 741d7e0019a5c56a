// The chain on its own: the hash covers every field and the link, and the checker names the first altered or
// missing event, including a deleted last event (which only the head can reveal).
import { describe, expect, it } from 'vitest';
import { createChainChecker, eventHash, GENESIS_HASH, type StoredEvent } from './chain.ts';

/** A valid chain of n events, ids 10, 20, 30 … (ids may have gaps; seq may not). */
function chain(n: number): StoredEvent[] {
  const out: StoredEvent[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const fields = {
      seq,
      prev_hash: prev,
      at: `2026-05-01T00:00:0${seq % 10}.000Z`,
      actor: 'user:admin',
      action: 'certificate.issue',
      target_type: 'certificate',
      target_id: String(seq),
      client_address: '127.0.0.1',
      outcome: 'success',
      details: '{}',
    };
    const hash = eventHash(fields);
    out.push({ ...fields, id: seq * 10, hash });
    prev = hash;
  }
  return out;
}

function check(events: StoredEvent[], head = headOf(chain(5))) {
  const checker = createChainChecker(head);
  for (const e of events) {
    const broken = checker.add(e);
    if (broken) return broken;
  }
  return checker.finish();
}

function headOf(events: StoredEvent[]) {
  const last = events[events.length - 1]!;
  return { seq: last.seq!, hash: last.hash! };
}

describe('audit chain', () => {
  it('hashes a JSON array, so that moving text between fields changes the hash', () => {
    const base = chain(1)[0]!;
    const moved = { ...base, actor: 'user:admin","certificate', action: 'issue' };
    expect(eventHash({ ...base, seq: 1, prev_hash: GENESIS_HASH })).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash({ ...moved, seq: 1, prev_hash: GENESIS_HASH })).not.toBe(
      eventHash({ ...base, seq: 1, prev_hash: GENESIS_HASH }),
    );
    expect(eventHash({ ...base, seq: 1, prev_hash: GENESIS_HASH, target_id: null })).not.toBe(
      eventHash({ ...base, seq: 1, prev_hash: GENESIS_HASH, target_id: 'null' }),
    );
  });

  it('accepts an intact chain and counts it', () => {
    expect(check(chain(5))).toEqual({ ok: true, count: 5, headSeq: 5, headHash: headOf(chain(5)).hash });
    expect(check([], { seq: 0, hash: GENESIS_HASH })).toMatchObject({ ok: true, count: 0 });
  });

  it('names an altered event by its id', () => {
    const events = chain(5);
    events[2] = { ...events[2]!, actor: 'user:mallory' };
    expect(check(events)).toMatchObject({ ok: false, reason: 'altered', firstBadId: 30, seq: 3, count: 2 });
  });

  it('catches an event re-hashed after editing, at the link to the next one', () => {
    const events = chain(5);
    const edited = { ...events[1]!, actor: 'user:mallory' };
    events[1] = { ...edited, hash: eventHash({ ...edited, seq: 2, prev_hash: edited.prev_hash! }) };
    expect(check(events)).toMatchObject({ ok: false, reason: 'altered', firstBadId: 30, seq: 3 });
  });

  it('reports a deleted middle event as missing, at the event after the gap', () => {
    const events = chain(5);
    events.splice(2, 1);
    expect(check(events)).toMatchObject({ ok: false, reason: 'missing', firstBadId: 40, seq: 3, count: 2 });
  });

  it('reports a deleted first event as missing', () => {
    expect(check(chain(5).slice(1))).toMatchObject({ ok: false, reason: 'missing', firstBadId: 20, seq: 1 });
  });

  it('reports deleted last events as missing, from the head', () => {
    const report = check(chain(5).slice(0, 3));
    expect(report).toMatchObject({ ok: false, reason: 'missing', firstBadId: null, seq: 4, count: 3 });
    expect(report.ok || report.message).toBe('events #4-#5 are missing: the log ends at #3');
  });

  it('reports a head that does not match the last event, or no head at all', () => {
    expect(check(chain(5), { seq: 5, hash: 'f'.repeat(64) })).toMatchObject({ reason: 'head mismatch' });
    const checker = createChainChecker(undefined);
    expect(checker.finish()).toMatchObject({ ok: false, reason: 'head mismatch', firstBadId: null });
  });

  it('treats an event whose chain fields were cleared as altered', () => {
    const events = chain(3);
    events[1] = { ...events[1]!, hash: null };
    expect(check(events, headOf(chain(3)))).toMatchObject({ ok: false, reason: 'altered', firstBadId: 20 });
  });
});
