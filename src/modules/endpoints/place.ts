// An endpoint's place and the one text that identifies it (`location`), shared by sources (TLS, files) and
// deployments (destination paths), so the same place seen by both is one endpoint.
import net from 'node:net';

export type EndpointPlace =
  | { kind: 'tls'; host: string; port: number; serverName?: string }
  /** `tree` names a remote file tree (e.g. `sftp://deploy@10.0.0.5:22`); absent or `local` for this host. */
  | { kind: 'file'; path: string; tree?: string }
  | { kind: 'destination'; destinationId: number; path: string };

export function locationOf(p: EndpointPlace): string {
  switch (p.kind) {
    case 'tls': {
      const host = net.isIPv6(p.host) ? `[${p.host}]` : p.host.toLowerCase();
      return `tls://${host}:${p.port}${p.serverName ? `#${p.serverName.toLowerCase()}` : ''}`;
    }
    case 'file':
      return !p.tree || p.tree === 'local' ? `file://${p.path}` : `${p.tree}${p.path}`;
    case 'destination':
      return `destination://${p.destinationId}${p.path.startsWith('/') ? '' : '/'}${p.path}`;
  }
}

/** A short human description: `127.0.0.1:8443 (SNI www.example.com)` (SNI shown when not the host), or the path. */
export function describePlace(p: EndpointPlace): string {
  if (p.kind === 'tls') {
    const host = net.isIPv6(p.host) ? `[${p.host}]` : p.host;
    const sni = p.serverName && p.serverName !== p.host ? ` (SNI ${p.serverName})` : '';
    return `${host}:${p.port}${sni}`;
  }
  return locationOf(p);
}
