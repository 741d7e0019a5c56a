// Answering the CA's challenges: publishing HTTP-01 key authorizations through the core's ChallengeResponder or
// writing DNS-01 TXT records through a DNS provider, and removing them again. What was published is recorded in
// the JSON order state, so cleanup works from `poll` or `cancel` in another process, long after `issue`.
import type acme from 'acme-client';
import { IssuanceFailed, type IssuerContext } from '../plugin.ts';
import { type AcmeConfig, http01Responder } from './account.ts';
import { createDnsProvider, type DnsProvider } from './dns/provider.ts';

export type ChallengeType = 'http-01' | 'dns-01';

/** What was published for an order: enough to take it down again. Not secret. */
export interface PublishedChallenges {
  challengeType: ChallengeType;
  /** Challenge URLs to tell the CA about once the answers are in place. */
  challengeUrls: string[];
  tokens: string[];
  txtRecords: { name: string; value: string }[];
}

function dnsProviderOf(config: AcmeConfig): DnsProvider {
  if (!config.options.dnsProvider) throw new IssuanceFailed('this ACME issuer uses dns-01 but has no DNS provider');
  return createDnsProvider(config.options.dnsProvider, config.secrets);
}

export function propagationSeconds(config: AcmeConfig): number {
  return config.options.challenge === 'dns-01' ? dnsProviderOf(config).propagationSeconds : 0;
}

/**
 * Puts an answer in place for every authorization still pending (reused, already valid ones need none).
 * On failure, takes down what it had put up, then rethrows.
 */
export async function publishChallenges(
  client: acme.Client,
  authzs: acme.Authorization[],
  config: AcmeConfig,
  ctx: IssuerContext,
): Promise<PublishedChallenges> {
  const challengeType: ChallengeType = config.options.challenge ?? 'http-01';
  const published: PublishedChallenges = { challengeType, challengeUrls: [], tokens: [], txtRecords: [] };
  const provider = challengeType === 'dns-01' ? dnsProviderOf(config) : undefined;
  const responder = provider ? undefined : await http01Responder(config, ctx);
  try {
    for (const authz of authzs) {
      const name = `${authz.wildcard ? '*.' : ''}${authz.identifier.value}`;
      if (authz.status === 'valid') continue;
      if (authz.status !== 'pending') {
        throw new IssuanceFailed(`ACME authorization of ${name} is ${authz.status}`, JSON.stringify(authz));
      }
      const challenge = authz.challenges.find((c) => c.type === challengeType);
      if (!challenge) {
        const offered = authz.challenges.map((c) => c.type).join(', ');
        const hint = authz.wildcard ? ' (wildcard names need dns-01)' : '';
        throw new IssuanceFailed(
          `the CA offers no ${challengeType} challenge for ${name}${hint}; it offers ${offered}`,
        );
      }
      const keyAuthorization = await client.getChallengeKeyAuthorization(challenge);
      if (provider) {
        const record = { name: `_acme-challenge.${name.replace(/^\*\./, '')}`, value: keyAuthorization };
        await provider.setTxt(record.name, record.value);
        published.txtRecords.push(record);
      } else {
        await responder!.publish(challenge.token, keyAuthorization);
        published.tokens.push(challenge.token);
      }
      if (challenge.status === 'pending') published.challengeUrls.push(challenge.url);
    }
  } catch (e) {
    await withdrawChallenges(published, config, ctx);
    throw e;
  }
  return published;
}

/** Tells the CA the answers are in place, so it validates them. */
export async function submitChallenges(client: acme.Client, published: PublishedChallenges): Promise<void> {
  for (const url of published.challengeUrls) {
    await client.completeChallenge({ type: published.challengeType, url, status: 'pending', token: '' });
  }
}

/** Takes down tokens and TXT records; best effort, logs what it could not remove. */
export async function withdrawChallenges(
  published: Pick<PublishedChallenges, 'tokens' | 'txtRecords' | 'challengeType'>,
  config: AcmeConfig,
  ctx: IssuerContext,
): Promise<void> {
  const responder = published.tokens.length
    ? await http01Responder(config, ctx).catch(() => ctx.challenges)
    : undefined;
  for (const token of published.tokens) {
    await responder!.withdraw(token).catch((e: Error) => {
      ctx.log.warn({ err: e.message }, 'could not withdraw an HTTP-01 token');
    });
  }
  if (published.txtRecords.length === 0) return;
  let provider: DnsProvider;
  try {
    provider = dnsProviderOf(config);
  } catch (e) {
    ctx.log.warn({ err: (e as Error).message }, 'cannot remove DNS-01 records: no usable DNS provider');
    return;
  }
  for (const record of published.txtRecords) {
    await provider.removeTxt(record.name, record.value).catch((e: Error) => {
      ctx.log.warn({ name: record.name, err: e.message }, 'could not remove a DNS-01 TXT record');
    });
  }
}
