// E-mail over SMTP with nodemailer: STARTTLS when the server offers it (required with requireTls), implicit TLS
// with secure, optional login. The SMTP server's own reply is kept in the error, so a refusal is readable.
import nodemailer from 'nodemailer';
import { Type } from 'typebox';
import type { NotificationPlugin } from '../plugin.ts';

export interface EmailOptions {
  host: string;
  port: number;
  from: string;
  secure?: boolean;
  requireTls?: boolean;
  /** PEM of CA certificates to trust for this server (a private mail relay) */
  caPem?: string;
}
export interface EmailSecrets {
  username?: string;
  password?: string;
}

export const emailChannel: NotificationPlugin<EmailOptions, EmailSecrets> = {
  type: 'email',
  description: 'E-mail over SMTP; each owner and rule recipient gets one message per run.',
  addressed: true,
  options: Type.Object(
    {
      host: Type.String({ minLength: 1, description: 'SMTP server, e.g. smtp.example.com' }),
      port: Type.Integer({ minimum: 1, maximum: 65535, description: 'usually 587 (STARTTLS) or 465 (TLS)' }),
      from: Type.String({ minLength: 3, description: 'sender address, e.g. tarsier@example.com' }),
      secure: Type.Optional(Type.Boolean({ description: 'TLS from the first byte (port 465)' })),
      requireTls: Type.Optional(Type.Boolean({ description: 'refuse to send unless STARTTLS succeeds' })),
      caPem: Type.Optional(Type.String({ description: 'CA certificates (PEM) to trust for the SMTP server' })),
    },
    { additionalProperties: false },
  ),
  secrets: Type.Object(
    { username: Type.Optional(Type.String()), password: Type.Optional(Type.String()) },
    { additionalProperties: false },
  ),
  async send(message, { options, secrets }) {
    const transport = nodemailer.createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure ?? false,
      requireTLS: options.requireTls ?? false,
      tls: options.caPem ? { ca: options.caPem } : undefined,
      auth: secrets.username ? { user: secrets.username, pass: secrets.password ?? '' } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    try {
      await transport.sendMail({
        from: options.from,
        to: message.recipient,
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: { 'X-Tarsier-Event': message.event },
      });
    } finally {
      transport.close();
    }
  },
};
