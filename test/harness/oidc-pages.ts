// The interaction step of the test OpenID provider as a person meets it: an HTML login form that checks the
// account's password, then a consent form naming the client and the scopes it asks for. Plain forms with labels
// and no outside resources, so a headless browser on a machine without internet can fill them in.
import type http from 'node:http';
import type Provider from 'oidc-provider';
import type { OidcAccount } from './oidc-provider.ts';

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/** Grants what the client asked for and finishes the interaction (the consent step, given). */
export async function grantConsent(
  provider: Provider,
  details: Details,
  req: http.IncomingMessage,
  res: http.ServerResponse,
) {
  const grant = details.grantId
    ? (await provider.Grant.find(details.grantId))!
    : new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function html(res: http.ServerResponse, title: string, body: string) {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title}</title></head>
<body><main><h1>${title}</h1>${body}</main></body></html>`);
}

function loginPage(res: http.ServerResponse, uid: string, error?: string) {
  html(
    res,
    'Test provider: sign in',
    `${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}<form method="post" action="/interaction/${uid}">
<label>Provider user name <input name="username" autocomplete="username" required></label>
<label>Provider password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in to the provider</button></form>`,
  );
}

function consentPage(res: http.ServerResponse, uid: string, details: Details) {
  const scopes = (details.prompt.details as { missingOIDCScope?: string[] }).missingOIDCScope ?? [];
  html(
    res,
    'Test provider: allow access',
    `<p>${escapeHtml(String(details.params.client_id))} asks for: ${escapeHtml(scopes.join(', '))}</p>
<form method="post" action="/interaction/${uid}"><button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button></form>`,
  );
}

async function formBody(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** GET shows the form of the current prompt (login or consent); POST acts on what was filled in. */
export async function servePage(
  provider: Provider,
  accounts: OidcAccount[],
  req: http.IncomingMessage,
  res: http.ServerResponse,
) {
  const details = await provider.interactionDetails(req, res);
  const isLogin = details.prompt.name === 'login';
  if (req.method !== 'POST') {
    return isLogin ? loginPage(res, details.uid) : consentPage(res, details.uid, details);
  }
  const form = await formBody(req);
  if (!isLogin) {
    if (form.get('decision') === 'allow') return grantConsent(provider, details, req, res);
    const refused = { error: 'access_denied', error_description: 'the user did not allow access' };
    return provider.interactionFinished(req, res, refused, { mergeWithLastSubmission: false });
  }
  const name = form.get('username');
  const account = accounts.find((a) => (a.preferred_username ?? a.sub) === name);
  if (!account?.password || account.password !== form.get('password')) {
    return loginPage(res, details.uid, 'wrong user name or password');
  }
  const login = { login: { accountId: account.sub } };
  return provider.interactionFinished(req, res, login, { mergeWithLastSubmission: false });
}
