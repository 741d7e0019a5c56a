// A real SMTP server for a test file (smtp-server, on a free port of 127.0.0.1) that keeps every delivered
// message, so tests read what a recipient would get. It can require a login, refuse recipients with a chosen
// SMTP reply, or be stopped and restarted on the same port to play a mail server that is down.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  raw: string;
  /** the text/plain part, decoded from quoted-printable */
  text: string;
  html: string;
}

export interface RunningSmtp {
  port: number;
  messages: ReceivedMail[];
  /** Recipients whose RCPT TO is answered with this error (e.g. 550 mailbox unavailable). */
  refuse: Map<string, string>;
  /** Messages delivered to one address. */
  to(address: string): ReceivedMail[];
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

const decodeQp = (s: string) =>
  s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));

function part(raw: string, type: string): string {
  const m = new RegExp(`Content-Type: ${type}[^]*?\\r?\\n\\r?\\n([^]*?)(?:\\r?\\n--|$)`, 'i').exec(raw);
  if (!m) return '';
  const header = raw.slice(0, m.index + m[0].length - m[1]!.length);
  const encoded = /quoted-printable/i.test(header.slice(header.lastIndexOf('Content-Type')));
  return Buffer.from(encoded ? decodeQp(m[1]!) : m[1]!, 'latin1').toString('utf8');
}

function subjectOf(raw: string): string {
  const m = /^Subject: (.*(?:\r?\n[ \t].*)*)/im.exec(raw);
  return (m?.[1] ?? '').replace(/\r?\n[ \t]/g, ' ');
}

export async function startSmtp(opts: { username?: string; password?: string } = {}): Promise<RunningSmtp> {
  const messages: ReceivedMail[] = [];
  const refuse = new Map<string, string>();
  const options: SMTPServerOptions = {
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: !opts.username,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === opts.username && auth.password === opts.password) cb(null, { user: auth.username });
      else cb(new Error('535 authentication failed'));
    },
    onRcptTo(address, _session, cb) {
      const reply = refuse.get(address.address);
      if (!reply) return cb();
      const err = new Error(reply) as Error & { responseCode: number };
      err.responseCode = 550;
      cb(err);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('latin1');
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: subjectOf(raw),
          raw,
          text: part(raw, 'text/plain'),
          html: part(raw, 'text/html'),
        });
        cb();
      });
    },
  };
  let server = new SMTPServer(options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    port,
    messages,
    refuse,
    to: (address) => messages.filter((m) => m.to.includes(address)),
    down: close,
    async up() {
      server = new SMTPServer(options);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    stop: close,
  };
}
