// Routing by the URL hash (#/certificates/12): the server then serves one page at / and never has to know the
// UI's paths, and every view still has its own address for bookmarks and the back button.
import { useEffect, useState } from 'react';

export function currentPath(): string {
  return window.location.hash.replace(/^#/, '') || '/';
}

export function navigate(path: string): void {
  window.location.hash = path;
}

export function usePath(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const on = () => setPath(currentPath());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return path;
}

/** Matches `/certificates/:id` against a path; returns the parameters or undefined. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const a = path.split('?')[0]!.split('/');
  if (p.length !== a.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of p.entries()) {
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(a[i]!);
    else if (part !== a[i]) return undefined;
  }
  return params;
}
