/**
 * Sorting provider failures into "try again later" and "stop now". Works on the plain fields that nodemailer and
 * twilio put on their errors, so it stays free of both libraries.
 */
export interface ProviderFailure {
  readonly permanent: boolean;
  /** Stable code for the ledger and IntroductionFailed.error_code ("smtp_550", "twilio_21610", "timeout"). */
  readonly code: string;
  /** Short and machine-written: never an address, a number or message text. */
  readonly reason: string;
}

/** Twilio errors that no retry can fix: the person opted out, or the number is not one we can text. */
export const PERMANENT_TWILIO_CODES: ReadonlySet<number> = new Set([21610, 21211, 21614, 21612, 21408]);

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ETIMEOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNECTION', 'ESOCKET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EDNS', 'ECONNCLOSED']);

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

function networkFailure(error: unknown): ProviderFailure | undefined {
  const code = field(error, 'code');
  if (typeof code !== 'string') return undefined;
  if (TIMEOUT_CODES.has(code)) return { permanent: false, code: 'timeout', reason: `provider timed out (${code})` };
  if (NETWORK_CODES.has(code)) return { permanent: false, code: 'network', reason: `connection to provider failed (${code})` };
  return undefined;
}

/** SMTP: a 5xx reply is a hard bounce (permanent), a 4xx reply a soft one (retry); lost connections retry. */
export function classifySmtpFailure(error: unknown): ProviderFailure {
  const responseCode = field(error, 'responseCode');
  if (typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600) {
    return { permanent: true, code: `smtp_${responseCode}`, reason: 'mail server rejected the message' };
  }
  if (typeof responseCode === 'number' && responseCode >= 400 && responseCode < 500) {
    return { permanent: false, code: `smtp_${responseCode}`, reason: 'mail server deferred the message' };
  }
  return networkFailure(error) ?? { permanent: false, code: 'smtp_unknown', reason: 'unexpected mail failure' };
}

/**
 * Twilio: the listed error codes are permanent; 429 and 5xx are transient; any other 4xx is a request Twilio will
 * keep refusing (permanent), except 408 (timeout).
 */
export function classifyTwilioFailure(error: unknown): ProviderFailure {
  const code = field(error, 'code');
  const status = field(error, 'status');
  if (typeof code === 'number' && PERMANENT_TWILIO_CODES.has(code)) {
    return { permanent: true, code: `twilio_${code}`, reason: 'SMS provider refused the recipient' };
  }
  if (typeof status === 'number') {
    if (status === 429) return { permanent: false, code: 'twilio_429', reason: 'SMS provider rate limit' };
    if (status === 408) return { permanent: false, code: 'timeout', reason: 'SMS provider timed out' };
    if (status >= 500) return { permanent: false, code: `twilio_${status}`, reason: 'SMS provider unavailable' };
    if (status >= 400) {
      return { permanent: true, code: typeof code === 'number' ? `twilio_${code}` : `twilio_${status}`, reason: 'SMS provider rejected the request' };
    }
  }
  return networkFailure(error) ?? { permanent: false, code: 'twilio_unknown', reason: 'unexpected SMS failure' };
}

/** A delivered-status callback that means the message did not arrive and will not. */
export function classifyStatusCallbackFailure(errorCode: string | undefined): ProviderFailure {
  const code = errorCode !== undefined && /^\d+$/.test(errorCode) ? `twilio_${errorCode}` : 'twilio_undelivered';
  return { permanent: true, code, reason: 'carrier did not deliver the SMS' };
}
