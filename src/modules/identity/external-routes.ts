// /api/v1/auth/ldap/login and /api/v1/auth/oidc/{login,callback}: sign-in through an external directory or
// identity provider. HTTP only: the services do the checking; this file shapes replies, cookies and redirects.
import { Type } from 'typebox';
import { TarsierError } from '../../errors.ts';
import { readCookie, sessionCookie } from '../../http/cookies.ts';
import type { App } from '../../http/types.ts';
import type { Services } from '../../services.ts';
import { LoginBody, LoginReply } from './schemas.ts';

/** Binds a pending OIDC sign-in to the browser that started it. Lax: it must ride the provider's redirect back. */
const STATE_COOKIE = 'tarsier_oidc_state';
const STATE_PATH = '/api/v1/auth/oidc';
/**
 * After an OIDC sign-in, the web session's CSRF token: readable by the page's scripts (not http-only), sent back
 * by them in X-CSRF-Token. It is worthless without the http-only session cookie, which scripts cannot read.
 */
export const CSRF_COOKIE = 'tarsier_csrf';

const stateCookie = (state: string) =>
  `${STATE_COOKIE}=${encodeURIComponent(state)}; Path=${STATE_PATH}; HttpOnly; Secure; SameSite=Lax; Max-Age=600`;
const clearedStateCookie = `${STATE_COOKIE}=; Path=${STATE_PATH}; HttpOnly; Secure; SameSite=Lax; Max-Age=0`;
const csrfCookie = (token: string, expiresAt: string) => {
  const maxAge = Math.max(0, Math.floor((Date.parse(expiresAt) - Date.now()) / 1000));
  return `${CSRF_COOKIE}=${encodeURIComponent(token)}; Path=/; Secure; SameSite=Strict; Max-Age=${maxAge}`;
};

/**
 * Why an OIDC sign-in failed, for a browser sent back to the sign-in page (which shows it and clears it) rather
 * than left on a JSON error. A cookie, not a query parameter, so nobody can link to a page showing their text.
 */
export const SIGN_IN_ERROR_COOKIE = 'tarsier_sign_in_error';
const signInErrorCookie = (message: string) =>
  `${SIGN_IN_ERROR_COOKIE}=${encodeURIComponent(message)}; Path=/; Secure; SameSite=Strict; Max-Age=300`;

const notConfigured = (what: string, setting: string) =>
  new TarsierError('not_found', `${what} sign-in is not configured (set ${setting})`);

const Redirect = Type.Null({ description: 'redirect (Location header)' });

export function registerExternalIdentityRoutes(app: App, { ldap, oidc }: Pick<Services, 'ldap' | 'oidc'>): void {
  const tags = ['auth'];
  app.post(
    '/api/v1/auth/ldap/login',
    { config: { public: true }, schema: { tags, security: [], body: LoginBody, response: { 200: LoginReply } } },
    async (request, reply) => {
      if (!ldap) throw notConfigured('LDAP', 'TARSIER_LDAP_URL');
      const { username, password, session } = request.body;
      const result = await ldap.login(username, password, request.ip, { session });
      if (!session) return result;
      // As for password sign-in: the session token travels only in the http-only cookie.
      reply.header('set-cookie', sessionCookie(result.token, result.expiresAt));
      return { token: '', expiresAt: result.expiresAt, csrfToken: result.csrfToken };
    },
  );

  app.get(
    '/api/v1/auth/oidc/login',
    {
      config: { public: true },
      schema: {
        tags,
        security: [],
        description: 'Starts an OIDC sign-in: redirects the browser to the identity provider.',
        querystring: Type.Object(
          { returnTo: Type.Optional(Type.String({ maxLength: 2048, description: 'a path on this server' })) },
          { additionalProperties: false },
        ),
        response: { 302: Redirect },
      },
    },
    async (request, reply) => {
      if (!oidc) throw notConfigured('OIDC', 'TARSIER_OIDC_ISSUER');
      const { url, state } = await oidc.start(request.query.returnTo);
      return reply.header('set-cookie', stateCookie(state)).redirect(url, 302);
    },
  );

  app.get(
    '/api/v1/auth/oidc/callback',
    {
      config: { public: true },
      schema: {
        tags,
        security: [],
        description:
          'Where the identity provider sends the browser back: starts a web session (cookies tarsier_session and tarsier_csrf) and redirects to returnTo. On failure a browser (Accept: text/html) is redirected to / with the reason in the cookie tarsier_sign_in_error.',
        // The provider's parameters (code, state, iss, error, …) are read by the service from the raw query.
        querystring: Type.Object({}, { additionalProperties: true }),
        response: { 302: Redirect },
      },
    },
    async (request, reply) => {
      if (!oidc) throw notConfigured('OIDC', 'TARSIER_OIDC_ISSUER');
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
      const browserState = readCookie(request.headers.cookie, STATE_COOKIE);
      reply.header('set-cookie', clearedStateCookie);
      const result = await oidc.finish(query, browserState, request.ip).catch((e: unknown) => {
        // A person's browser goes back to the sign-in page with the reason; API clients get the error itself.
        if (e instanceof TarsierError && request.headers.accept?.includes('text/html')) return e;
        throw e;
      });
      if (result instanceof TarsierError) {
        return reply.header('set-cookie', [clearedStateCookie, signInErrorCookie(result.message)]).redirect('/', 302);
      }
      return reply
        .header('set-cookie', [
          clearedStateCookie,
          sessionCookie(result.token, result.expiresAt),
          csrfCookie(result.csrfToken!, result.expiresAt),
        ])
        .redirect(result.returnTo, 302);
    },
  );
}
