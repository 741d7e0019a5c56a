// A real OpenID provider (the oidc-provider package) for a test file, on a free port of 127.0.0.1 over plain
// http. Its interaction step signs in whichever test account the test chose and grants consent, so that a plain
// HTTP client with a cookie jar (browser() below) can drive the whole redirect flow without a browser; with
// `pages`, it shows login and consent forms instead (oidc-pages.ts), for a real browser to fill in.
// The client's redirect URI is known only once Tarsier listens: register it with addClient() after that.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';
import { grantConsent, servePage } from './oidc-pages.ts';

export interface OidcAccount {
  sub: string;
  preferred_username?: string;
  email?: string;
  name?: string;
  groups?: string[];
  /** What the login form (with `pages`) accepts for this account, named by preferred_username or sub. */
  password?: string;
}

export interface RunningOidcProvider {
  issuer: string;
  /** Registers the one client (confidential, client_secret_basic, PKCE required) and starts serving. */
  addClient(client: { clientId: string; clientSecret: string; redirectUri: string }): void;
  /** The account the next interaction signs in, or an error the provider answers with (e.g. access_denied). */
  signInAs(account: string | { error: string; description: string }): void;
  /** Every request the provider received, as parsed URLs (authorization: /auth, userinfo: /me). */
  requests: URL[];
  stop(): Promise<void>;
}

export async function startOidcProvider(options: {
  accounts: OidcAccount[];
  /** Put the requested claims (groups …) into the ID token too, not only into userinfo. */
  claimsInIdToken?: boolean;
  /** Serve HTML login and consent pages (for a real browser) instead of signing signInAs()'s account in. */
  pages?: boolean;
  /** Release `groups` only for its own scope (as Okta and Keycloak do), not with `profile`. */
  groupsScope?: boolean;
}): Promise<RunningOidcProvider> {
  let handler: http.RequestListener = (_req, res) => res.writeHead(503).end('no client registered yet');
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let next: string | { error: string; description: string } = options.accounts[0]?.sub ?? '';
  const requests: URL[] = [];

  function build(client: { clientId: string; clientSecret: string; redirectUri: string }): Provider {
    const configuration: Configuration = {
      clients: [
        {
          client_id: client.clientId,
          client_secret: client.clientSecret,
          redirect_uris: [client.redirectUri],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      pkce: { required: () => true },
      scopes: ['openid', 'profile', 'email', 'groups'],
      claims: {
        openid: ['sub'],
        ...(options.groupsScope
          ? { profile: ['preferred_username', 'name'], groups: ['groups'] }
          : { profile: ['preferred_username', 'name', 'groups'] }),
        email: ['email'],
      },
      conformIdTokenClaims: !options.claimsInIdToken,
      findAccount: (_ctx, sub) => {
        const account = options.accounts.find((a) => a.sub === sub);
        if (!account) return undefined;
        const { password: _password, ...claims } = account;
        return { accountId: sub, claims: () => claims };
      },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      features: { devInteractions: { enabled: false } },
      cookies: { keys: ['tarsier-test-cookie-key'] },
      jwks: {
        keys: [
          { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'k1' },
        ],
      },
      ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    };
    return new Provider(issuer, configuration);
  }

  async function interact(provider: Provider, req: http.IncomingMessage, res: http.ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (typeof next !== 'string') {
      return provider.interactionFinished(req, res, { error: next.error, error_description: next.description });
    }
    if (details.prompt.name === 'login') {
      return provider.interactionFinished(req, res, { login: { accountId: next } }, { mergeWithLastSubmission: false });
    }
    return grantConsent(provider, details, req, res);
  }

  return {
    issuer,
    requests,
    addClient(client) {
      const provider = build(client);
      const callback = provider.callback();
      handler = (req, res) => {
        const url = new URL(req.url ?? '/', issuer);
        requests.push(url);
        if (url.pathname.startsWith('/interaction/')) {
          const step = options.pages ? servePage(provider, options.accounts, req, res) : interact(provider, req, res);
          step.catch((e: Error) => res.writeHead(500).end(e.stack));
          return;
        }
        callback(req, res);
      };
    },
    signInAs(account) {
      next = account;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

/**
 * A minimal browser for redirect flows: fetch with a cookie jar (by host; cookies ignore ports, as in a real
 * browser), following redirects by hand. Returns every hop so that tests can look at each one.
 */
export function browser() {
  const jar = new Map<string, StoredCookie[]>();
  const cookiesFor = (url: URL) =>
    (jar.get(url.hostname) ?? []).filter((c) => url.pathname.startsWith(c.path)).map((c) => `${c.name}=${c.value}`);

  function store(url: URL, headers: Headers) {
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const attr = (n: string) => attrs.find((a) => a.toLowerCase().startsWith(`${n}=`))?.slice(n.length + 1);
      const path = attr('path') ?? url.pathname.replace(/\/[^/]*$/, '/');
      const expired = attr('max-age') === '0' || (attr('expires') && Date.parse(attr('expires')!) < Date.now());
      const list = (jar.get(url.hostname) ?? []).filter((c) => !(c.name === name && c.path === path));
      if (!expired) list.push({ name, value, path });
      jar.set(url.hostname, list);
    }
  }

  return {
    cookie: (url: string, name: string) => jar.get(new URL(url).hostname)?.find((c) => c.name === name)?.value,
    async fetch(url: string, init: RequestInit = {}) {
      const u = new URL(url);
      const res = await fetch(u, {
        ...init,
        redirect: 'manual',
        headers: { ...(init.headers as Record<string, string>), cookie: cookiesFor(u).join('; ') },
      });
      store(u, res.headers);
      return res;
    },
    /** Follows redirects from `url` (at most 20); returns each hop's URL and response, the last one not a redirect. */
    async follow(url: string, stopAt?: (url: URL) => boolean) {
      const hops: { url: URL; res: Response }[] = [];
      let current = new URL(url);
      for (let i = 0; i < 20; i++) {
        if (stopAt?.(current)) break;
        const res = await this.fetch(current.href);
        hops.push({ url: current, res });
        const location = res.headers.get('location');
        if (res.status < 300 || res.status >= 400 || !location) break;
        await res.arrayBuffer();
        current = new URL(location, current);
      }
      return hops;
    },
  };
}
