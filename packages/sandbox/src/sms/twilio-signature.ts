import { createHmac } from 'node:crypto';

/**
 * Twilio's X-Twilio-Signature: HMAC-SHA1 keyed with the auth token over the full URL followed by each
 * POST parameter's name and value, sorted by name, base64-encoded.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}
