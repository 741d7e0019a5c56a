// Where an authority publishes its revocation data. Certificates carry these URLs (CRL distribution point and
// OCSP in AIA) when the authority has a public base URL; the routes serve exactly these paths.
export function crlPath(authorityId: number, shard: number, shards: number, kind: 'full' | 'delta' = 'full'): string {
  const scope = shards > 1 ? `${authorityId}-${shard}` : `${authorityId}`;
  return `/crl/${scope}${kind === 'delta' ? '-delta' : ''}.crl`;
}

export function ocspPath(authorityId: number): string {
  return `/ocsp/${authorityId}`;
}

/** Parses `<id>[-<shard>][-delta].crl` back into its parts; undefined when the name is not ours. */
export function parseCrlName(name: string): { authorityId: number; shard: number; kind: 'full' | 'delta' } | undefined {
  const m = /^(\d+)(?:-(\d+))?(-delta)?\.crl$/.exec(name);
  if (!m) return undefined;
  return { authorityId: Number(m[1]), shard: m[2] === undefined ? 0 : Number(m[2]), kind: m[3] ? 'delta' : 'full' };
}

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}
