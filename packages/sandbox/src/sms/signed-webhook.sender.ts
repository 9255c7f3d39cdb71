import { twilioSignature } from './twilio-signature.js';

export interface WebhookResponse {
  status: number;
  contentType: string | null;
  body: string;
}

/** Twilio gives a customer's webhook 15 s before it gives up on it. */
const WEBHOOK_TIMEOUT_MS = 15_000;

/**
 * POSTs form-encoded params to a customer URL the way Twilio does, signed with X-Twilio-Signature.
 * `shutdown` aborts requests still in flight when the sandbox closes.
 */
export async function postSignedWebhook(
  url: string,
  params: Record<string, string>,
  authToken: string,
  shutdown: AbortSignal,
): Promise<WebhookResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(authToken, url, params),
      'user-agent': 'TwilioProxy/1.1',
      accept: '*/*',
    },
    body: new URLSearchParams(params).toString(),
    redirect: 'manual',
    signal: AbortSignal.any([shutdown, AbortSignal.timeout(WEBHOOK_TIMEOUT_MS)]),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

export function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
