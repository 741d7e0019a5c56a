// OIDC sign-in: the authorization code flow with PKCE (S256), state and nonce, against the configured provider
// (openid-client does discovery, the token exchange and the ID token checks). The provider's groups claim is
// mapped to roles. A pending sign-in (state -> PKCE verifier, nonce, return path) is kept in this process's
// memory for ten minutes: a restart, or a callback reaching another instance, asks the user to start again.
import * as oidc from 'openid-client';
import type { ServerConfig } from '../../config.ts';
import { UnauthenticatedError, UpstreamError, ValidationError } from '../../errors.ts';
import type { ExternalLogin, ExternalProfile } from './external-login.ts';
import type { LoginResult } from './service.ts';

export type OidcConfig = NonNullable<ServerConfig['oidc']>;

export const CALLBACK_PATH = '/api/v1/auth/oidc/callback';
const PENDING_MS = 10 * 60_000;
const MAX_PENDING = 10_000;

interface Pending {
  verifier: string;
  nonce: string;
  returnTo: string;
  expiresAt: number;
}

/** Only a path on this server may be returned to: anything else (https://evil.example, //evil.example) is '/'. */
export function safeReturnTo(value: string | undefined): string {
  if (!value?.startsWith('/') || value.startsWith('//')) return '/';
  // Browsers read a backslash as a slash (/\evil.example); control characters have no place in a path either.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return '/';
  return value;
}

/** A network failure (refused, reset, timed out) rather than an answer from the provider. */
function isOutage(e: unknown): boolean {
  for (let c: unknown = e; c instanceof Error; c = c.cause) {
    if (c.name === 'AbortError' || c.name === 'TimeoutError' || c.message === 'fetch failed') return true;
    const code: unknown = (c as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true;
  }
  return false;
}

const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

export interface OidcDeps {
  config: OidcConfig;
  external: ExternalLogin;
  clock: () => Date;
}

export function createOidcService({ config, external, clock }: OidcDeps) {
  const issuer = new URL(config.issuer);
  if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && isLoopback(issuer))) {
    throw new ValidationError(
      'TARSIER_OIDC_ISSUER',
      'must be an https:// URL (plain http is accepted on loopback only)',
    );
  }
  let baseUrl: string | undefined;
  let discovered: Promise<oidc.Configuration> | undefined;
  const pending = new Map<string, Pending>();

  function discover(): Promise<oidc.Configuration> {
    discovered ??= oidc
      .discovery(
        issuer,
        config.clientId,
        undefined,
        config.clientSecret ? oidc.ClientSecretBasic(config.clientSecret) : oidc.None(),
        { execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [], timeout: 10 },
      )
      .catch((e: unknown) => {
        discovered = undefined; // try again at the next sign-in
        throw new UpstreamError(
          `the OIDC provider ${config.issuer} could not be reached or described itself wrongly: ${(e as Error).message}`,
          { issuer: config.issuer },
          { cause: e },
        );
      });
    return discovered;
  }

  function redirectUri(): string {
    if (!baseUrl) throw new Error('the OIDC service was used before the server knew its own address');
    return `${baseUrl}${CALLBACK_PATH}`;
  }

  function takePending(state: string | undefined): Pending | undefined {
    const now = clock().getTime();
    for (const [k, p] of pending) if (p.expiresAt <= now) pending.delete(k);
    const found = state ? pending.get(state) : undefined;
    if (state) pending.delete(state); // one use only
    return found;
  }

  /** The groups claim from the ID token, else from userinfo; a single string counts as one group. */
  async function groupsOf(cfg: oidc.Configuration, tokens: oidc.TokenEndpointResponse, claims: oidc.IDToken) {
    let value: unknown = claims[config.groupsClaim];
    let info: oidc.UserInfoResponse | undefined;
    if (value === undefined && tokens.access_token) {
      info = await oidc.fetchUserInfo(cfg, tokens.access_token, claims.sub);
      value = info[config.groupsClaim];
    }
    const groups = (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
      (g): g is string => typeof g === 'string',
    );
    return { groups, info };
  }

  return {
    /** Tells the service where users reach this server (TARSIER_PUBLIC_URL, else the listen address). */
    setBaseUrl(url: string) {
      baseUrl = url.replace(/\/+$/, '');
    },
    redirectUri,

    /**
     * Starts a sign-in: returns the provider URL to send the browser to and the state, which the caller also
     * binds to the browser (a cookie), so that a callback started elsewhere is refused. Throws UpstreamError
     * when the provider cannot be discovered.
     */
    async start(returnTo: string | undefined): Promise<{ url: string; state: string }> {
      const cfg = await discover();
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const now = clock().getTime();
      takePending(undefined); // sweep expired ones
      if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value!);
      pending.set(state, { verifier, nonce, returnTo: safeReturnTo(returnTo), expiresAt: now + PENDING_MS });
      const url = oidc.buildAuthorizationUrl(cfg, {
        redirect_uri: redirectUri(),
        scope: config.scopes,
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url: url.href, state };
    },

    /**
     * Completes a sign-in from the provider's redirect (`query` is the callback's query string): checks the state
     * against the browser's, exchanges the code (with the PKCE verifier), validates the ID token and its nonce,
     * and starts a web session. Throws UnauthenticatedError for anything wrong with the answer, UpstreamError
     * when the provider cannot be reached.
     */
    async finish(
      query: string,
      browserState: string | undefined,
      clientAddress: string,
    ): Promise<LoginResult & { returnTo: string }> {
      const params = new URLSearchParams(query);
      const state = params.get('state') ?? undefined;
      const deny = (reason: string, message: string) =>
        external.deny('oidc', 'unknown', clientAddress, reason, new UnauthenticatedError(message));
      const flow = takePending(state);
      if (!flow || state !== browserState) {
        return deny(
          'unknown state',
          'this sign-in is unknown, expired or was started in another browser: start again at /api/v1/auth/oidc/login',
        );
      }
      if (params.has('error')) {
        const what = [params.get('error'), params.get('error_description')].filter(Boolean).join(': ');
        return deny(`provider error: ${what}`, `the identity provider refused the sign-in (${what})`);
      }
      const cfg = await discover();
      let profile: ExternalProfile;
      try {
        const tokens = await oidc.authorizationCodeGrant(cfg, new URL(`${redirectUri()}?${params}`), {
          pkceCodeVerifier: flow.verifier,
          expectedState: state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims()!;
        const { groups, info } = await groupsOf(cfg, tokens, claims);
        const pick = (name: string) => {
          const v = claims[name] ?? info?.[name];
          return typeof v === 'string' && v ? v : undefined;
        };
        profile = {
          username: pick('preferred_username') ?? pick('email') ?? claims.sub,
          externalId: claims.sub,
          email: pick('email'),
          displayName: pick('name'),
          groups: [...new Set(groups)].sort(),
        };
      } catch (e) {
        if (isOutage(e)) {
          const error = new UpstreamError(
            `the OIDC provider ${config.issuer} did not answer: ${(e as Error).message}`,
            { issuer: config.issuer },
            { cause: e },
          );
          return external.deny('oidc', 'unknown', clientAddress, error.message, error);
        }
        return deny(
          `token exchange failed: ${(e as Error).message}`,
          `the identity provider's answer could not be verified: ${(e as Error).message}`,
        );
      }
      const result = await external.complete('oidc', profile, config.groupRoles, clientAddress, { session: true });
      return { token: result.token, expiresAt: result.expiresAt, csrfToken: result.csrfToken, returnTo: flow.returnTo };
    },
  };
}

export type OidcService = ReturnType<typeof createOidcService>;
