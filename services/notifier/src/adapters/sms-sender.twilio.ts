import twilio from 'twilio';
import { inSpan, SpanKind } from '@kindred/platform';
import type { SmsSender } from '../ports/message-senders.port.js';

export interface TwilioConfig {
  readonly accountSid: string;
  readonly authToken: string;
  /** A sending number (E.164) or a Messaging Service SID (MG…). */
  readonly from: string;
  readonly timeoutMs: number;
  /**
   * Another base URL for Twilio's REST API (the SMS sandbox in tests and local runs). twilio-node has no such
   * option, so its request client rewrites the host.
   */
  readonly apiBaseUrl?: string | undefined;
}

const TWILIO_API = 'https://api.twilio.com';

export function twilioSmsSender(config: TwilioConfig): SmsSender {
  const requestClient = new twilio.RequestClient({ timeout: config.timeoutMs });
  if (config.apiBaseUrl !== undefined) {
    const base = config.apiBaseUrl.replace(/\/+$/, '');
    const send = requestClient.request.bind(requestClient);
    requestClient.request = (options) =>
      send({ ...options, uri: options.uri.startsWith(TWILIO_API) ? base + options.uri.slice(TWILIO_API.length) : options.uri });
  }
  const client = twilio(config.accountSid, config.authToken, { httpClient: requestClient });
  const sender = config.from.startsWith('MG') ? { messagingServiceSid: config.from } : { from: config.from };
  return {
    // A client span per provider call: where the journey leaves Kindred. The API host only; never the number or text.
    send: (sms) =>
      inSpan('twilio messages create', { kind: SpanKind.CLIENT, attributes: { 'server.address': new URL(config.apiBaseUrl ?? TWILIO_API).hostname, 'http.request.method': 'POST' } }, async () => {
        const message = await client.messages.create({ ...sender, to: sms.to, body: sms.body, statusCallback: sms.statusCallbackUrl });
        return { providerMessageId: message.sid };
      }),
  };
}
