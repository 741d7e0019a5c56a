// HTTP-01 tokens live in the database, so whichever Tarsier process the CA's validator reaches can answer.
import type { Db } from '../../db/index.ts';
import type { ChallengeResponder } from './plugin.ts';
import * as store from './store.ts';

export function createChallengeResponder(
  db: Db,
  clock: () => Date,
): ChallengeResponder & { answer(token: string): Promise<string | undefined> } {
  return {
    publish: (token, keyAuthorization) => store.putChallenge(db, token, keyAuthorization, clock().toISOString()),
    withdraw: (token) => store.deleteChallenge(db, token),
    answer: (token) => store.findChallenge(db, token),
  };
}
