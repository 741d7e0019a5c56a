// The Route 53 DNS provider against a local mock of the REST/XML API that checks every request's SigV4
// Authorization header (its shape, and the signature recomputed over what actually arrived), the paths and the
// ChangeBatch XML. The signer itself is checked against AWS's published get-vanilla test vector.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IssuerConfigError } from '../../plugin.ts';
import { createRoute53Provider } from './route53.ts';
import { signRequest } from './sigv4.ts';

const CREDS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret/test+key' };
const ZONE = 'Z0123456789TEST';
const sets = new Map<string, string[]>(); // fqdn -> quoted TXT values
const seen: { method: string; path: string; body: string }[] = [];
let server: http.Server;
let base: string;

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=(\w+)\/(\d{8})\/us-east-1\/route53\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

function error(res: http.ServerResponse, status: number, code: string, message: string) {
  res.writeHead(status, { 'content-type': 'text/xml' });
  res.end(
    `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error></ErrorResponse>`,
  );
}

/** Recomputes the signature over the request as received, with the secret the mock knows. */
function signatureOk(req: http.IncomingMessage, body: string): boolean {
  const m = String(req.headers.authorization).match(AUTH);
  if (!m || m[1] !== CREDS.accessKeyId) return false;
  const amzDate = String(req.headers['x-amz-date']);
  const now = new Date(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const extra = (m[3] ?? '').split(';').filter((h) => h !== 'host' && h !== 'x-amz-date');
  const headers = Object.fromEntries(extra.map((h) => [h, String(req.headers[h])]));
  const url = `http://${req.headers.host}${req.url}`;
  const again = signRequest({
    method: req.method ?? '',
    url,
    body,
    region: 'us-east-1',
    service: 'route53',
    credentials: CREDS,
    now,
    headers,
  });
  return again.authorization === req.headers.authorization;
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push({ method: req.method ?? '', path: url.pathname + url.search, body });
      if (!AUTH.test(String(req.headers.authorization))) return error(res, 403, 'MissingAuthenticationToken', 'no');
      if (!signatureOk(req, body))
        return error(res, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match');
      const m = url.pathname.match(/^\/2013-04-01\/hostedzone\/([^/]+)(\/rrset\/?)?$/);
      if (!m || m[1] !== ZONE) return error(res, 404, 'NoSuchHostedZone', `No hosted zone found with ID: ${m?.[1]}`);
      res.writeHead(200, { 'content-type': 'text/xml' });
      if (!m[2])
        return res.end(
          `<GetHostedZoneResponse><HostedZone><Id>/hostedzone/${ZONE}</Id></HostedZone></GetHostedZoneResponse>`,
        );
      if (req.method === 'GET') {
        const name = url.searchParams.get('name') ?? '';
        const values = sets.get(name);
        const rrs = values
          ? `<ResourceRecordSet><Name>${name}</Name><Type>TXT</Type><TTL>60</TTL><ResourceRecords>${values.map((v) => `<ResourceRecord><Value>${v}</Value></ResourceRecord>`).join('')}</ResourceRecords></ResourceRecordSet>`
          : '';
        return res.end(
          `<ListResourceRecordSetsResponse><ResourceRecordSets>${rrs}</ResourceRecordSets></ListResourceRecordSetsResponse>`,
        );
      }
      expect(req.headers['content-type']).toBe('text/xml');
      expect(body).toContain('<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">');
      const action = body.match(/<Action>(\w+)<\/Action>/)?.[1];
      const name = body.match(/<Name>([^<]+)<\/Name>/)?.[1] ?? '';
      const values = [...body.matchAll(/<Value>([^<]+)<\/Value>/g)].map((x) => x[1] ?? '');
      if (action === 'UPSERT') sets.set(name, values);
      else if (action === 'DELETE' && JSON.stringify(sets.get(name)) === JSON.stringify(values)) sets.delete(name);
      else return error(res, 400, 'InvalidChangeBatch', 'values do not match');
      res.end(
        '<ChangeResourceRecordSetsResponse><ChangeInfo><Status>PENDING</Status></ChangeInfo></ChangeResourceRecordSetsResponse>',
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('route53 DNS provider (mocked Route 53 API)', () => {
  it('signs like AWS: the published get-vanilla SigV4 test vector', () => {
    const headers = signRequest({
      method: 'GET',
      url: 'https://example.amazonaws.com/',
      body: '',
      region: 'us-east-1',
      service: 'service',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      now: new Date('2015-08-30T12:36:00Z'),
    });
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, ' +
        'Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  it('adds values to the TXT set (UPSERT of the union) and removes them one by one (DELETE of the last)', async () => {
    const p = createRoute53Provider({ hostedZoneId: `/hostedzone/${ZONE}`, apiBaseUrl: base }, CREDS);
    await p.validate();
    const name = '_acme-challenge.example.com';
    await p.setTxt(name, 'one');
    await p.setTxt(name, 'two');
    expect(sets.get(`${name}.`)).toEqual(['"one"', '"two"']);
    const post = seen.find((s) => s.method === 'POST');
    expect(post?.path).toBe(`/2013-04-01/hostedzone/${ZONE}/rrset/`);
    expect(post?.body).toContain(`<Action>UPSERT</Action><ResourceRecordSet><Name>${name}.</Name><Type>TXT</Type>`);
    await p.removeTxt(name, 'one');
    expect(sets.get(`${name}.`)).toEqual(['"two"']);
    await p.removeTxt(name, 'two');
    expect(seen.at(-1)?.body).toContain('<Action>DELETE</Action>');
    expect(sets.has(`${name}.`)).toBe(false);
    await p.removeTxt(name, 'two'); // already gone: fine
  });

  it('validate names the secret key when the signature does not verify, and the zone when unknown', async () => {
    const wrong = createRoute53Provider({ hostedZoneId: ZONE, apiBaseUrl: base }, { ...CREDS, secretAccessKey: 'x' });
    const e1 = await wrong.validate().catch((e) => e);
    expect(e1).toBeInstanceOf(IssuerConfigError);
    expect(e1.field).toBe('secrets.awsSecretAccessKey');
    expect(e1.message).toContain('SignatureDoesNotMatch');
    const zone = createRoute53Provider({ hostedZoneId: 'ZNOPE', apiBaseUrl: base }, CREDS);
    const e2 = await zone.validate().catch((e) => e);
    expect(e2.field).toBe('options.dnsProvider.hostedZoneId');
    expect(e2.message).toContain('No hosted zone found with ID: ZNOPE');
  });
});
