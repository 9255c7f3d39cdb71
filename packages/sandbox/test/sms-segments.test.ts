import { describe, expect, it } from 'vitest';
import { countSegments, smsEncoding } from '@kindred/sandbox';

describe('SMS segment counting', () => {
  it.each([
    ['plain text', 'a', 'GSM-7', 1],
    ['160 GSM-7 characters fit in one', 'a'.repeat(160), 'GSM-7', 1],
    ['161 GSM-7 characters need two', 'a'.repeat(161), 'GSM-7', 2],
    ['306 GSM-7 characters fit in two', 'a'.repeat(306), 'GSM-7', 2],
    ['307 GSM-7 characters need three', 'a'.repeat(307), 'GSM-7', 3],
    ['extension characters count twice', '€'.repeat(80), 'GSM-7', 1],
    ['81 extension characters need two', '€'.repeat(81), 'GSM-7', 2],
    ['an escape pair is never split across parts', `${'a'.repeat(152)}€${'a'.repeat(153)}`, 'GSM-7', 3],
    ['accented GSM letters stay GSM-7', 'é'.repeat(160), 'GSM-7', 1],
    ['one non-GSM character switches to UCS-2', `${'a'.repeat(69)}✓`, 'UCS-2', 1],
    ['71 UCS-2 characters need two', `${'a'.repeat(70)}✓`, 'UCS-2', 2],
    ['134 UCS-2 units fit in two', `✓${'a'.repeat(133)}`, 'UCS-2', 2],
    ['135 UCS-2 units need three', `✓${'a'.repeat(134)}`, 'UCS-2', 3],
    ['emoji take two UTF-16 units', '😀'.repeat(35), 'UCS-2', 1],
    ['a surrogate pair is never split across parts', `${'a'.repeat(66)}😀${'a'.repeat(66)}`, 'UCS-2', 3],
  ])('%s', (_name, body, encoding, segments) => {
    expect(smsEncoding(body)).toBe(encoding);
    expect(countSegments(body)).toBe(segments);
  });
});
