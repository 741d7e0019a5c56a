// The frame around every page: a skip link, the navigation (a menu button at phone width), who is signed in,
// and the page the address names. Without a session it shows the sign-in page.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, api, SIGNED_OUT_EVENT, setCsrfToken } from './lib/api.ts';
import { matchPath, usePath } from './lib/router.ts';
import { type Session, SessionContext } from './lib/session.tsx';
import type { Me } from './lib/types.ts';
import { PAGES } from './pages/index.ts';
import { SignIn } from './pages/sign-in.tsx';

function findPage(path: string, can: (p: string) => boolean) {
  for (const page of PAGES) {
    const params = matchPath(page.path, path);
    if (params && page.permissions.some(can)) return { page, params };
  }
  return undefined;
}

function Frame({ session }: { session: Session }) {
  const path = usePath();
  const [menuOpen, setMenuOpen] = useState(false);
  const heading = useRef<HTMLElement>(null);
  const found = findPage(path, session.can);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new address closes the menu and moves focus to the page
  useEffect(() => {
    setMenuOpen(false);
    heading.current?.focus();
  }, [path]);
  const Page = found?.page.component;
  return (
    <>
      <button type="button" className="skip" onClick={() => heading.current?.focus()}>
        Skip to content
      </button>
      <header className="top">
        <a className="brand" href="#/">
          Tarsier
        </a>
        <button
          type="button"
          className="menu"
          aria-expanded={menuOpen}
          aria-controls="nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <nav id="nav" aria-label="Main" className={menuOpen ? 'open' : ''}>
          <ul>
            {PAGES.filter((p) => p.label && p.permissions.some(session.can)).map((p) => (
              <li key={p.path}>
                <a href={`#${p.path}`} aria-current={found?.page === p ? 'page' : undefined}>
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span className="who">{session.me.username}</span>
        <button type="button" onClick={() => void session.signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" ref={heading} tabIndex={-1}>
        {Page ? <Page {...found.params} /> : <p>There is no page at {path}, or your roles do not show it.</p>}
      </main>
    </>
  );
}

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const load = useCallback(async () => {
    try {
      setMe(await api<Me>('GET', '/api/v1/auth/me'));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setMe(null);
      else throw e;
    }
  }, []);
  useEffect(() => {
    void load();
    const signedOut = () => setMe(null);
    window.addEventListener(SIGNED_OUT_EVENT, signedOut);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, signedOut);
  }, [load]);
  const session = useMemo<Session | undefined>(
    () =>
      me
        ? {
            me,
            can: (p) => me.permissions.includes(p),
            async signOut() {
              await api('POST', '/api/v1/auth/logout').catch(() => {});
              setCsrfToken(undefined);
              setMe(null);
            },
          }
        : undefined,
    [me],
  );
  if (me === undefined) return <p>Loading…</p>;
  if (!session) return <SignIn onSignedIn={load} />;
  return (
    <SessionContext.Provider value={session}>
      <Frame session={session} />
    </SessionContext.Provider>
  );
}
