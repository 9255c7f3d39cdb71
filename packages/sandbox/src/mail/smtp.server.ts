import { randomUUID } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerError } from 'smtp-server';
import type { CapturedMail, MailStore } from './mail.store.js';

const FAULT_REPLIES = {
  550: '5.1.1 Mailbox unavailable (sandbox fault)',
  451: '4.3.0 Temporary failure, try again later (sandbox fault)',
} as const;

/**
 * An SMTP server that accepts every sender and recipient without TLS or authentication and keeps what
 * it receives. STARTTLS is not offered so that clients never attempt a handshake with a self-signed cert.
 */
export function createSmtpServer(store: MailStore, options: { closeTimeoutMs: number }): SMTPServer {
  const server = new SMTPServer({
    name: 'kindred-sandbox',
    banner: 'Kindred sandbox SMTP: mail is captured, never delivered',
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    size: 25 * 1024 * 1024,
    logger: false,
    // Reverse DNS of the client only adds latency (and hangs without a resolver).
    disableReverseLookup: true,
    closeTimeout: options.closeTimeoutMs,
    onAuth(auth, _session, callback) {
      // Any credentials are fine: the sandbox stands in for a relay, it does not guard one.
      callback(null, { user: auth.username ?? 'sandbox' });
    },
    onRcptTo(address, _session, callback) {
      const code = store.takeFault(address.address);
      if (code === undefined) {
        callback();
        return;
      }
      const error: SMTPServerError = new Error(FAULT_REPLIES[code]);
      error.responseCode = code;
      callback(error);
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const from = session.envelope.mailFrom;
          store.add(toCapturedMail(parsed, from === false ? null : from.address, session.envelope.rcptTo.map((rcpt) => rcpt.address)));
          callback();
        })
        .catch((error: unknown) => {
          const failure: SMTPServerError = new Error(`5.6.0 Message could not be parsed: ${error instanceof Error ? error.message : String(error)}`);
          failure.responseCode = 554;
          callback(failure);
        });
    },
  });
  // A client that drops its connection (a worker killed mid-send, say) is that client's problem: without a
  // listener, smtp-server's 'error' event would take the whole sandbox down.
  server.on('error', () => undefined);
  return server;
}

function toCapturedMail(parsed: ParsedMail, from: string | null, to: string[]): CapturedMail {
  return {
    id: randomUUID(),
    envelope: { from, to },
    headers: headerRecord(parsed.headerLines),
    messageId: parsed.messageId ?? null,
    subject: parsed.subject ?? null,
    text: parsed.text ?? null,
    html: typeof parsed.html === 'string' ? parsed.html : null,
    attachments: parsed.attachments.map((attachment) => ({
      filename: attachment.filename ?? null,
      contentType: attachment.contentType,
      size: attachment.size,
    })),
    receivedAt: new Date().toISOString(),
  };
}

function headerRecord(lines: ParsedMail['headerLines']): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, line } of lines) {
    const colon = line.indexOf(':');
    const value = line
      .slice(colon + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    const name = key.toLowerCase();
    const previous = headers[name];
    headers[name] = previous === undefined ? value : `${previous}, ${value}`;
  }
  return headers;
}
