/** GSM 03.38 default alphabet (one septet each), without the escape character. */
const GSM7_BASIC = new Set(
  Array.from(
    '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
  ),
);
/** The extension table: each costs two septets (escape + character). */
const GSM7_EXTENDED = new Set(Array.from('^{}\\[~]|€\f'));

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  readonly encoding: SmsEncoding;
  readonly segments: number;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  readonly units: number;
}

export function isGsm7(text: string): boolean {
  for (const char of text) {
    if (!GSM7_BASIC.has(char) && !GSM7_EXTENDED.has(char)) return false;
  }
  return true;
}

/**
 * Segments a carrier bills for `text`: GSM-7 fits 160 septets in one segment and 153 per segment once split
 * (the user data header takes the rest); UCS-2 fits 70 code units, 67 once split. One character outside GSM-7
 * turns the whole message into UCS-2.
 */
export function countSegments(text: string): SegmentCount {
  if (text.length === 0) return { encoding: 'GSM-7', segments: 0, units: 0 };
  if (isGsm7(text)) {
    let septets = 0;
    for (const char of text) septets += GSM7_EXTENDED.has(char) ? 2 : 1;
    return { encoding: 'GSM-7', units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  }
  const units = text.length;
  return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}

const GSM7_LOOKALIKES: Readonly<Record<string, string>> = {
  á: 'a', í: 'i', ó: 'o', ú: 'u', Á: 'A', Í: 'I', Ó: 'O', Ú: 'U', È: 'E', Ì: 'I', Ò: 'O', Ù: 'U',
  â: 'a', ê: 'e', î: 'i', ô: 'o', û: 'u', ç: 'Ç', ã: 'a', õ: 'o', ë: 'e', ï: 'i',
  '\u2019': "'", '\u2018': "'", '\u201C': '"', '\u201D': '"', '\u2013': '-', '\u2014': '-', '\u2026': '...', '\u00A0': ' ',
};

/** Replaces characters that force UCS-2 with their closest GSM-7 look-alike where one exists (as Twilio's Smart Encoding does). */
export function toGsm7Lookalikes(text: string): string {
  return Array.from(text, (char) => GSM7_LOOKALIKES[char] ?? char).join('');
}
