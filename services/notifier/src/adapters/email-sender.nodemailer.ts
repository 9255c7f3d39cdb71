import nodemailer from 'nodemailer';
import { inSpan, SpanKind } from '@kindred/platform';
import type { EmailSender } from '../ports/message-senders.port.js';

export interface NodemailerConfig {
  /** smtp:// or smtps://, optionally with user:password. */
  readonly smtpUrl: string;
  readonly from: string;
  readonly maxConnections: number;
  readonly timeoutMs: number;
}

/** Pooled SMTP: connections stay open between introductions instead of a handshake per message. */
export function nodemailerEmailSender(config: NodemailerConfig): EmailSender {
  const url = new URL(config.smtpUrl);
  const port = Number(url.port || (url.protocol === 'smtps:' ? 465 : 587));
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: config.maxConnections,
    host: url.hostname,
    port,
    secure: url.protocol === 'smtps:',
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    socketTimeout: config.timeoutMs,
  });
  return {
    // A client span per provider call: where the journey leaves Kindred. Server and port only; never the recipient.
    send: (email) =>
      inSpan('smtp send', { kind: SpanKind.CLIENT, attributes: { 'server.address': url.hostname, 'server.port': port } }, async () => {
        const info = await transport.sendMail({
          from: config.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          messageId: email.messageId,
          list: { unsubscribe: email.unsubscribeUrl },
          headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        });
        return { providerMessageId: info.messageId };
      }),
    close() {
      transport.close();
      return Promise.resolve();
    },
  };
}
