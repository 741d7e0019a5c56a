// The TLS endpoints source: connects to hosts, host:port lists and CIDR ranges (with SNI names), a bounded
// number at a time, and reports the chain each presents. Addresses come from the outbound guard (ctx.outbound),
// so a refused or unresolvable target is an item with an error, like a refused connection or a timeout.
import { type Static, Type } from 'typebox';
import { toPem } from '../../../crypto/pem.ts';
import { type SourceConfig, SourceConfigError, type SourceContext, type SourcePlugin } from '../plugin.ts';
import { fetchChain, scannerContext } from './handshake.ts';
import { expandTargets, isServerName, type TlsTarget } from './targets.ts';

const Options = Type.Object(
  {
    targets: Type.Array(Type.String({ minLength: 1, maxLength: 300 }), {
      minItems: 1,
      maxItems: 10_000,
      description: 'host, host:port, CIDR (10.0.0.0/24) or CIDR:port, [IPv6]:port; prefix sni@ to send that name',
    }),
    ports: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 65535 }), {
        minItems: 1,
        maxItems: 100,
        description: 'ports tried for targets without one (default 443)',
      }),
    ),
    serverNames: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 253 }), {
        maxItems: 100,
        description: 'SNI names sent to every target without its own sni@ (each is a separate scan)',
      }),
    ),
    concurrency: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, description: 'handshakes at once (default 50)' }),
    ),
    timeoutMs: Type.Optional(
      Type.Integer({ minimum: 100, maximum: 60_000, description: 'per connection and handshake (default 5000)' }),
    ),
  },
  { additionalProperties: false },
);
type TlsOptions = Static<typeof Options>;

const targetsOf = (o: TlsOptions): TlsTarget[] => expandTargets(o.targets, o.ports ?? [443], o.serverNames ?? []);

async function scanOne(t: TlsTarget, o: TlsOptions, ctx: SourceContext, secure: ReturnType<typeof scannerContext>) {
  const place = { kind: 'tls' as const, ...t };
  try {
    const addresses = await ctx.outbound.resolve(t.host);
    const address = addresses[0];
    if (!address) return { place, error: `${t.host} has no address` };
    const chain = await fetchChain(address, t.port, t.serverName, o.timeoutMs ?? 5000, secure);
    return { place, material: { pem: chain.map((der) => toPem(der, 'CERTIFICATE')).join('') } };
  } catch (e) {
    return { place, error: (e as Error).message };
  }
}

export const tlsSource: SourcePlugin<TlsOptions, Record<string, never>> = {
  type: 'tls',
  title: 'TLS endpoints',
  description: 'connects to hosts, host:port lists and CIDR ranges and records the chain each server presents',
  options: Options,
  secrets: Type.Object({}, { additionalProperties: false }),

  validate({ options }: SourceConfig<TlsOptions>) {
    for (const [i, name] of (options.serverNames ?? []).entries()) {
      if (!isServerName(name)) throw new SourceConfigError(`options.serverNames[${i}]`, `'${name}' is not a DNS name`);
    }
    targetsOf(options);
  },

  async scan({ options }, ctx, report) {
    const targets = targetsOf(options);
    ctx.expect(targets.length);
    const secure = scannerContext();
    let next = 0;
    const worker = async () => {
      while (next < targets.length && !ctx.signal.aborted) {
        const t = targets[next++]!;
        await report(await scanOne(t, options, ctx, secure));
      }
    };
    const n = Math.min(options.concurrency ?? 50, targets.length);
    await Promise.all(Array.from({ length: n }, worker));
  },
};
