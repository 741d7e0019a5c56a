// One TLS handshake to fetch the chain a server presents. Verification is off on purpose (an expired or
// self-signed certificate is exactly what discovery must see) and the security level is 0 so that weak keys and
// SHA-1 chains still complete; the core checks them afterwards. The socket is closed with end(), not destroy():
// destroying right after secureConnect aborts TLS 1.3 handshakes on the server side (NOTES.md).
import net from 'node:net';
import tls, { type DetailedPeerCertificate, type SecureContext } from 'node:tls';

/** One context per run: creating a SecureContext per connection is a measurable cost at 1,000 endpoints. */
export function scannerContext(): SecureContext {
  return tls.createSecureContext({ ciphers: 'DEFAULT:@SECLEVEL=0', minVersion: 'TLSv1' });
}

/** The presented chain, leaf first, as DER (walking Node's issuerCertificate links until they loop). */
function chainOf(peer: DetailedPeerCertificate): Buffer[] {
  const out: Buffer[] = [];
  const seen = new Set<string>();
  let cur: DetailedPeerCertificate | undefined = peer;
  while (cur?.raw && !seen.has(cur.fingerprint256)) {
    seen.add(cur.fingerprint256);
    out.push(cur.raw);
    cur = cur.issuerCertificate === cur ? undefined : cur.issuerCertificate;
  }
  return out;
}

function describe(e: NodeJS.ErrnoException, where: string, timeoutMs: number): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return `connection refused at ${where}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${where} is unreachable`;
    case 'ETIMEDOUT':
      return `no TLS handshake with ${where} within ${timeoutMs} ms`;
    case 'ECONNRESET':
      return `${where} closed the connection during the TLS handshake`;
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return `${where} does not speak TLS (is it a plain-text service?)`;
    default: {
      const reason = (e as { reason?: string }).reason ?? e.message.split('\n')[0];
      return `TLS handshake with ${where} failed: ${reason}`;
    }
  }
}

/** Connects to `address` (already resolved and allowed) and returns the presented chain; throws a sentence. */
export function fetchChain(
  address: string,
  port: number,
  serverName: string | undefined,
  timeoutMs: number,
  secureContext: SecureContext,
): Promise<Buffer[]> {
  const where = `${net.isIPv6(address) ? `[${address}]` : address}:${port}`;
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: address,
      port,
      servername: serverName,
      secureContext,
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    const fail = (e: NodeJS.ErrnoException) => {
      socket.destroy();
      reject(new Error(describe(e, where, timeoutMs)));
    };
    socket.once('timeout', () => fail(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      const chain = chainOf(socket.getPeerCertificate(true));
      socket.removeAllListeners('error');
      socket.removeAllListeners('timeout');
      socket.on('error', () => {});
      // A server that never answers our close must not hold the socket for ever.
      socket.setTimeout(timeoutMs, () => socket.destroy());
      socket.end();
      if (chain.length === 0) reject(new Error(`${where} completed the handshake without a certificate`));
      else resolve(chain);
    });
  });
}
