// Sign in: local accounts always; an LDAP choice and an OIDC button when the server has them configured.
import { type FormEvent, useEffect, useState } from 'react';
import { ErrorNotice, TextField } from '../components/form.tsx';
import { api, readCookie, setCsrfToken } from '../lib/api.ts';
import { useAction } from '../lib/use-api.ts';

/** Set by the server when an OIDC sign-in failed (see external-routes.ts): shown once, then cleared. */
const SIGN_IN_ERROR_COOKIE = 'tarsier_sign_in_error';

function takeSignInError(): string | undefined {
  const message = readCookie(SIGN_IN_ERROR_COOKIE);
  // The Cookie Store API is not in every browser the UI supports; this one assignment only expires the cookie.
  // biome-ignore lint/suspicious/noDocumentCookie: see above
  if (message) document.cookie = `${SIGN_IN_ERROR_COOKIE}=; Path=/; Secure; SameSite=Strict; Max-Age=0`;
  return message;
}

interface Methods {
  local: boolean;
  ldap: boolean;
  oidc: boolean;
}

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [methods, setMethods] = useState<Methods>({ local: true, ldap: false, oidc: false });
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [directory, setDirectory] = useState<'local' | 'ldap'>('local');
  const { error, busy, run } = useAction();
  const [ssoError] = useState(takeSignInError);
  useEffect(() => {
    api<Methods>('GET', '/api/v1/auth/methods').then(setMethods, () => {});
  }, []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const path = directory === 'ldap' ? '/api/v1/auth/ldap/login' : '/api/v1/auth/login';
    const reply = await run(() => api<{ csrfToken?: string }>('POST', path, { username, password, session: true }));
    if (reply) {
      setCsrfToken(reply.csrfToken);
      onSignedIn();
    }
  };
  return (
    <main id="main" className="sign-in">
      <h1>Sign in to Tarsier</h1>
      <form onSubmit={submit} aria-label="Sign in">
        {methods.ldap && (
          <fieldset>
            <legend>Account</legend>
            <label className="check">
              <input
                type="radio"
                name="directory"
                checked={directory === 'local'}
                onChange={() => setDirectory('local')}
              />{' '}
              Tarsier account
            </label>
            <label className="check">
              <input
                type="radio"
                name="directory"
                checked={directory === 'ldap'}
                onChange={() => setDirectory('ldap')}
              />{' '}
              Directory (LDAP)
            </label>
          </fieldset>
        )}
        <TextField label="User name" value={username} onChange={setUsername} autoComplete="username" required />
        <TextField
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
          required
        />
        <ErrorNotice error={error} />
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
      </form>
      {ssoError && !error && (
        <p className="notice error" role="alert">
          Single sign-on failed: {ssoError}
        </p>
      )}
      {methods.oidc && (
        <p>
          <a className="button" href="/api/v1/auth/oidc/login?returnTo=%2F">
            Sign in with single sign-on (OIDC)
          </a>
        </p>
      )}
    </main>
  );
}
