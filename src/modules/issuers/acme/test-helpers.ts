// What the ACME plugin tests share: an IssuerContext whose ChallengeResponder is a tiny node:http server (the
// port Pebble validates HTTP-01 against; in production the core answers from Tarsier's own server), a log that
// keeps every line so tests can check no secret was written, CSRs made by openssl, and a loop that polls to the end.
import http from 'node:http';
import type { Workdir } from '../../../../test/harness/openssl.ts';
import { freePort } from '../../../../test/harness/slapd.ts';
import type { IssueOutcome, IssueRequest, IssuerConfig, IssuerContext, IssuerPlugin } from '../plugin.ts';

export interface TestContext extends IssuerContext {
  tokens: Map<string, string>;
  logLines: string[];
  port: number;
  close(): Promise<void>;
}

/** Starts the HTTP-01 responder on a free port (or `port`) and returns a context using it. */
export async function startTestContext(port?: number): Promise<TestContext> {
  const tokens = new Map<string, string>();
  const logLines: string[] = [];
  const listenPort = port ?? (await freePort());
  const server = http.createServer((req, res) => {
    const m = req.url?.match(/^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)$/);
    const body = m?.[1] ? tokens.get(m[1]) : undefined;
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/plain' }).end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const line = (level: string) => (obj: object, msg?: string) =>
    logLines.push(`${level} ${msg} ${JSON.stringify(obj)}`);
  return {
    tokens,
    logLines,
    port: listenPort,
    log: { info: line('info'), warn: line('warn'), error: line('error'), debug: line('debug') },
    clock: () => new Date(),
    challenges: {
      async publish(token, keyAuthorization) {
        tokens.set(token, keyAuthorization);
      },
      async withdraw(token) {
        tokens.delete(token);
      },
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An EC P-256 CSR for `names` (the first is the CN) and `ips`, made by openssl. */
export function makeRequest(work: Workdir, names: string[], ips: string[] = []): IssueRequest {
  const [cn] = names;
  const sans = [...names.map((n) => `DNS:${n}`), ...ips.map((ip) => `IP:${ip}`)];
  work.openssl([
    ...['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
    ...['-keyout', 'csr-key.pem', '-out', 'req.csr', '-subj', `/CN=${cn}`],
    ...['-addext', `subjectAltName=${sans.join(',')}`],
  ]);
  return {
    csrPem: work.read('req.csr').toString(),
    commonName: cn ?? '',
    dnsNames: names,
    ipAddresses: ips,
    keyType: 'ec-p256',
    requestOptions: {},
  };
}

/** issue() then poll() every 300 ms until issued (or the error poll throws); at most `limitMs`. */
export async function issueToEnd<O, S>(
  plugin: IssuerPlugin<O, S>,
  req: IssueRequest,
  config: IssuerConfig<O, S>,
  ctx: IssuerContext,
  limitMs = 30_000,
): Promise<{ outcome: IssueOutcome; polls: number; states: Record<string, unknown>[] }> {
  let outcome = await plugin.issue(req, config, ctx);
  const states: Record<string, unknown>[] = [];
  const deadline = Date.now() + limitMs;
  let polls = 0;
  while (outcome.status === 'pending') {
    states.push(outcome.state);
    if (Date.now() > deadline) throw new Error(`still pending after ${limitMs} ms: ${JSON.stringify(outcome)}`);
    await new Promise((r) => setTimeout(r, 300));
    // Through JSON, as the core stores it.
    outcome = await plugin.poll!(JSON.parse(JSON.stringify(outcome.state)), req, config, ctx);
    polls++;
  }
  return { outcome, polls, states };
}
