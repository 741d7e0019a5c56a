// One certificate's ACME order as a small state machine driven by the core: `startOrder` creates the order and
// puts the challenge answers in place, then every `continueOrder` looks at the order once and takes the next step
// (submit challenges after DNS propagation, finalize when ready, download when valid). Nothing here waits for the
// CA: each step returns `pending` with a short retry hint, and all it needs to carry on is in the JSON state.
import acme from 'acme-client';
import { IssuanceFailed, type IssueOutcome, type IssueRequest, type IssuerContext } from '../plugin.ts';
import { type AcmeConfig, createClient, fetchDirectory } from './account.ts';
import {
  type PublishedChallenges,
  propagationSeconds,
  publishChallenges,
  submitChallenges,
  withdrawChallenges,
} from './challenges.ts';

export interface AcmeOrderState extends PublishedChallenges {
  orderUrl: string;
  /** Whether the CA has been told to validate; until then, `submitAfter` (ISO time) waits for DNS propagation. */
  submitted: boolean;
  submitAfter?: string;
  /** Whether tokens and TXT records have been taken down already. */
  withdrawn: boolean;
}

const RETRY_SECONDS = 1;

function identifiersOf(req: IssueRequest): { type: string; value: string }[] {
  const dns = [...new Set(req.dnsNames.map((n) => n.toLowerCase()))].map((value) => ({ type: 'dns', value }));
  const ips = [...new Set(req.ipAddresses)].map((value) => ({ type: 'ip', value }));
  return [...dns, ...ips];
}

function pending(state: AcmeOrderState, message: string, retryAfterSeconds = RETRY_SECONDS): IssueOutcome {
  return { status: 'pending', state: { ...state }, retryAfterSeconds, message };
}

/** Creates the order and publishes the answers; tells the CA to validate unless DNS needs time to propagate. */
export async function startOrder(req: IssueRequest, config: AcmeConfig, ctx: IssuerContext): Promise<IssueOutcome> {
  const client = createClient(config);
  const identifiers = identifiersOf(req);
  if (identifiers.length === 0) throw new IssuanceFailed('an ACME certificate needs at least one DNS name or IP');
  const profile = req.requestOptions['profile'];
  if (typeof profile === 'string' && profile) {
    const offered = (await fetchDirectory(config.options)).meta?.profiles ?? {};
    if (!(profile in offered)) {
      const names = Object.keys(offered).join(', ') || 'none';
      throw new IssuanceFailed(`the CA does not offer the certificate profile '${profile}' (it offers: ${names})`);
    }
  }
  const order = await client.createOrder({
    identifiers,
    ...(typeof profile === 'string' && profile ? { profile } : {}),
  } as Parameters<acme.Client['createOrder']>[0]);
  const names = identifiers.map((i) => i.value).join(', ');
  ctx.log.info({ orderUrl: order.url, names }, 'ACME order created');
  const authzs = await client.getAuthorizations(order);
  const published = await publishChallenges(client, authzs, config, ctx);
  const state: AcmeOrderState = { orderUrl: order.url, ...published, submitted: false, withdrawn: false };
  const wait = published.challengeUrls.length > 0 ? propagationSeconds(config) : 0;
  if (wait > 0) {
    state.submitAfter = new Date(ctx.clock().getTime() + wait * 1000).toISOString();
    return pending(state, `waiting ${wait} s for DNS records of ${names} to propagate`, wait);
  }
  try {
    await submitChallenges(client, published);
  } catch (e) {
    await withdrawChallenges(published, config, ctx);
    throw e;
  }
  state.submitted = true;
  return pending(state, `waiting for the CA to validate ${names}`);
}

/** The CA's own words for why an order failed: the failed challenge's error, else the order's. */
async function failureOf(client: acme.Client, order: acme.Order): Promise<{ name: string; upstream: string }> {
  const authzs = await client.getAuthorizations(order);
  const bad = authzs.find((a) => a.status === 'invalid');
  const errorText = (err: unknown) => {
    const e = err as { type?: string; detail?: string } | undefined;
    return e ? [e.type, e.detail].filter(Boolean).join(': ') : undefined;
  };
  const challengeError = bad?.challenges.map((c) => errorText(c.error)).find(Boolean);
  const name = bad
    ? `${bad.wildcard ? '*.' : ''}${bad.identifier.value}`
    : order.identifiers.map((i) => i.value).join(', ');
  return { name, upstream: challengeError ?? errorText(order.error) ?? JSON.stringify(bad ?? order) };
}

/** Splits the CA's PEM bundle into the leaf and its chain (issuer first, as the CA sends it). */
function splitBundle(bundle: string): { certificatePem: string; chainPem: string } {
  const pems = acme.crypto.splitPemChain(bundle).map((p) => `${p.trim()}\n`);
  const [leaf, ...chain] = pems;
  if (!leaf) throw new Error('the CA returned no certificate');
  return { certificatePem: leaf, chainPem: chain.join('') };
}

async function withdrawOnce(state: AcmeOrderState, config: AcmeConfig, ctx: IssuerContext): Promise<void> {
  if (state.withdrawn) return;
  await withdrawChallenges(state, config, ctx);
  state.withdrawn = true;
}

/** Looks at the order once and takes the next step. */
export async function continueOrder(
  raw: Record<string, unknown>,
  req: IssueRequest,
  config: AcmeConfig,
  ctx: IssuerContext,
): Promise<IssueOutcome> {
  const state = { ...(raw as unknown as AcmeOrderState) };
  const client = createClient(config);
  if (!state.submitted) {
    const due = state.submitAfter ? new Date(state.submitAfter).getTime() : 0;
    const left = Math.ceil((due - ctx.clock().getTime()) / 1000);
    if (left > 0) return pending(state, 'waiting for DNS records to propagate', left);
    await submitChallenges(client, state);
    state.submitted = true;
  }
  let order = await client.getOrder({ url: state.orderUrl } as acme.Order);
  if (order.status === 'pending') {
    // Some CAs leave the order pending for a while after an authorization failed: look at them too.
    const authzs = await client.getAuthorizations(order);
    if (!authzs.some((a) => a.status === 'invalid')) return pending(state, 'waiting for the CA to validate');
    order = { ...order, status: 'invalid' };
  }
  if (order.status === 'invalid') {
    const { name, upstream } = await failureOf(client, order);
    await withdrawOnce(state, config, ctx);
    throw new IssuanceFailed(`ACME validation of ${name} failed`, upstream);
  }
  if (order.status === 'ready') {
    await withdrawOnce(state, config, ctx);
    order = await client.finalizeOrder(order, req.csrPem);
  }
  if (order.status === 'processing' || order.status === 'ready') return pending(state, 'the CA is issuing');
  const bundle = await client.getCertificate(order);
  await withdrawOnce(state, config, ctx);
  ctx.log.info({ orderUrl: state.orderUrl }, 'ACME certificate downloaded');
  return { status: 'issued', ...splitBundle(bundle) };
}

/** Deactivates the order's pending authorizations and takes down the answers; best effort. */
export async function cancelOrder(raw: Record<string, unknown>, config: AcmeConfig, ctx: IssuerContext): Promise<void> {
  const state = raw as unknown as AcmeOrderState;
  try {
    const client = createClient(config);
    const order = await client.getOrder({ url: state.orderUrl } as acme.Order);
    for (const authz of await client.getAuthorizations(order)) {
      if (authz.status === 'pending') await client.deactivateAuthorization(authz);
    }
  } catch (e) {
    ctx.log.warn({ orderUrl: state.orderUrl, err: (e as Error).message }, 'could not deactivate ACME authorizations');
  }
  if (!state.withdrawn) await withdrawChallenges(state, config, ctx);
}
