// DNS-01 through dynamic updates (RFC 2136) signed with TSIG, as BIND, Knot and PowerDNS accept them. Messages
// go over TCP (no truncation to handle); dns-packet encodes the header and zone section, the update records are
// encoded here because dns-packet has no class NONE (needed to delete one value and keep the others at a name).
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { IssuanceFailed, IssuerConfigError } from '../../plugin.ts';
import type { DnsProvider } from './provider.ts';
import { checkSignedResponse, encodeName, signMessage, TSIG_ERRORS, type TsigAlgorithm, type TsigKey } from './tsig.ts';

export interface Rfc2136Settings {
  server: string;
  port?: number;
  zone: string;
  tsigKeyName: string;
  tsigAlgorithm?: TsigAlgorithm;
  propagationSeconds?: number;
}

const RCODE_NAMES = 'NOERROR FORMERR SERVFAIL NXDOMAIN NOTIMP REFUSED YXDOMAIN YXRRSET NXRRSET NOTAUTH NOTZONE'.split(
  ' ',
);
const OPCODE_UPDATE = 5 << 11;
const TTL_SECONDS = 60;

/** Sends one message over TCP (two-byte length prefix) and returns the answer. */
function exchange(host: string, port: number, message: Buffer, timeoutMs = 5_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let data = Buffer.alloc(0);
    const fail = (e: Error) => {
      socket.destroy();
      reject(new Error(`DNS server ${host}:${port}: ${e.message}`));
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer within ${timeoutMs / 1000} s`)));
    socket.on('error', fail);
    socket.on('connect', () =>
      socket.write(Buffer.concat([Buffer.from([message.length >> 8, message.length & 255]), message])),
    );
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
        socket.end();
        resolve(data.subarray(2, 2 + data.readUInt16BE(0)));
      }
    });
    socket.on('close', () => fail(new Error('connection closed before a full answer')));
  });
}

/** One TXT resource record in wire form; class 254 (NONE) with TTL 0 deletes exactly this value (RFC 2136 §2.5.4). */
function txtRecord(name: string, value: string, klass: 'IN' | 'NONE'): Buffer {
  const text = Buffer.from(value, 'utf8');
  const rdata = Buffer.concat([Buffer.from([text.length]), text]);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(16, 0); // TXT
  fixed.writeUInt16BE(klass === 'IN' ? 1 : 254, 2);
  fixed.writeUInt32BE(klass === 'IN' ? TTL_SECONDS : 0, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([encodeName(name), fixed, rdata]);
}

function isInZone(name: string, zone: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const z = zone.toLowerCase().replace(/\.$/, '');
  return n === z || n.endsWith(`.${z}`);
}

export function createRfc2136Provider(settings: Rfc2136Settings, secrets: { tsigSecret: string }): DnsProvider {
  const port = settings.port ?? 53;
  const zone = settings.zone.replace(/\.$/, '');
  const key: TsigKey = {
    name: settings.tsigKeyName,
    algorithm: settings.tsigAlgorithm ?? 'hmac-sha256',
    secret: Buffer.from(secrets.tsigSecret, 'base64'),
  };
  const where = `${settings.server}:${port}`;

  /** Signs and sends `message`; returns the response's rcode name, or throws naming the field to fix. */
  async function send(message: Buffer): Promise<{ rcode: string; response: Buffer }> {
    const { signed, mac } = signMessage(message, key, new Date());
    const response = await exchange(settings.server, port, signed);
    const flags = response.readUInt16BE(2);
    const rcode = RCODE_NAMES[flags & 0xf] ?? `RCODE_${flags & 0xf}`;
    const tsig = checkSignedResponse(response, key, mac);
    if (tsig.error) {
      const name = TSIG_ERRORS[tsig.error] ?? `TSIG error ${tsig.error}`;
      if (tsig.error === 17) {
        throw new IssuerConfigError(
          'options.dnsProvider.tsigKeyName',
          `DNS server ${where} does not know the TSIG key '${key.name}' (${rcode}/${name}) with algorithm ${key.algorithm}`,
        );
      }
      const field = tsig.error === 18 ? 'options.dnsProvider.server' : 'secrets.tsigSecret';
      const hint = tsig.error === 18 ? 'the clocks of Tarsier and the server differ' : 'check the TSIG secret';
      throw new IssuerConfigError(field, `DNS server ${where} refused the TSIG signature (${rcode}/${name}): ${hint}`);
    }
    if (rcode === 'NOERROR' && !tsig.verified) {
      throw new Error(`DNS server ${where} answered without a valid TSIG signature from key '${key.name}'`);
    }
    return { rcode, response };
  }

  async function update(name: string, value: string, klass: 'IN' | 'NONE'): Promise<void> {
    if (!isInZone(name, zone)) {
      throw new IssuanceFailed(`${name} is not in the DNS zone ${zone} that the rfc2136 provider updates`);
    }
    const header = dnsPacket.encode({
      type: 'query',
      id: Math.floor(Math.random() * 65536),
      flags: OPCODE_UPDATE,
      questions: [{ name: zone, type: 'SOA', class: 'IN' }],
    });
    const message = Buffer.concat([header, txtRecord(name, value, klass)]);
    message.writeUInt16BE(1, 8); // one record in the update section
    const { rcode } = await send(message);
    if (rcode !== 'NOERROR') {
      const what = klass === 'IN' ? 'add' : 'delete';
      throw new Error(`DNS server ${where} refused to ${what} TXT ${name} in zone ${zone}: ${rcode}`);
    }
  }

  return {
    type: 'rfc2136',
    propagationSeconds: settings.propagationSeconds ?? 0,
    setTxt: (name, value) => update(name, value, 'IN'),
    removeTxt: (name, value) => update(name, value, 'NONE'),
    async validate() {
      let result: { rcode: string; response: Buffer };
      const query = dnsPacket.encode({
        type: 'query',
        id: Math.floor(Math.random() * 65536),
        questions: [{ name: zone, type: 'SOA', class: 'IN' }],
      });
      try {
        result = await send(query);
      } catch (e) {
        if (e instanceof IssuerConfigError) throw e;
        throw new IssuerConfigError('options.dnsProvider.server', `${(e as Error).message}`);
      }
      const decoded = dnsPacket.decode(result.response);
      const hasSoa = decoded.answers?.some((a) => a.type === 'SOA') ?? false;
      if (result.rcode !== 'NOERROR' || !decoded.flag_aa || !hasSoa) {
        throw new IssuerConfigError(
          'options.dnsProvider.zone',
          `DNS server ${where} is not authoritative for the zone ${zone} (SOA query answered ${result.rcode}` +
            `${decoded.flag_aa ? '' : ', not authoritative'}${hasSoa ? '' : ', no SOA record'})`,
        );
      }
    },
  };
}
