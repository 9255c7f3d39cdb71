// GSM 03.38 default alphabet; extension characters cost an escape septet as well.
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXTENSION = new Set('^{}\\[~]|€\f');

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export function smsEncoding(body: string): SmsEncoding {
  for (const char of body) {
    if (!GSM7_BASIC.has(char) && !GSM7_EXTENSION.has(char)) return 'UCS-2';
  }
  return 'GSM-7';
}

/**
 * How many SMS segments a body takes, as carriers count them: 160 septets (GSM-7) or 70 UTF-16 units
 * (UCS-2) fit in one; concatenated parts carry a 6-byte header, leaving 153 septets or 67 units, and
 * never split an escape sequence or a surrogate pair.
 */
export function countSegments(body: string): number {
  const gsm = smsEncoding(body) === 'GSM-7';
  const units = [...body].map((char) => (gsm ? (GSM7_EXTENSION.has(char) ? 2 : 1) : char.length));
  const total = units.reduce((sum, size) => sum + size, 0);
  const single = gsm ? 160 : 70;
  if (total <= single) return 1;
  const perPart = gsm ? 153 : 67;
  let segments = 1;
  let used = 0;
  for (const size of units) {
    if (used + size > perPart) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return segments;
}
