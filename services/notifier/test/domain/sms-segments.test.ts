import { describe, expect, it } from 'vitest';
import { countSegments, isGsm7, toGsm7Lookalikes } from '../../src/domain/sms-segments.js';

describe('SMS segment counting', () => {
  it('fits 160 GSM-7 characters in one segment and splits at 153 after that', () => {
    expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', segments: 1, units: 160 });
    expect(countSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', segments: 2, units: 161 });
    expect(countSegments('a'.repeat(306)).segments).toBe(2);
    expect(countSegments('a'.repeat(307)).segments).toBe(3);
  });

  it('counts extension-table characters (€, [, ]) as two septets', () => {
    expect(countSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', segments: 1, units: 160 });
    expect(countSegments(`${'€'.repeat(80)}a`).segments).toBe(2);
  });

  it('treats Spanish letters outside GSM-7 as UCS-2: 70 units in one segment, 67 per segment after', () => {
    expect(isGsm7('ñ é ü à ¿ ¡')).toBe(true);
    expect(isGsm7('á')).toBe(false);
    expect(countSegments('á'.repeat(70))).toEqual({ encoding: 'UCS-2', segments: 1, units: 70 });
    expect(countSegments('á'.repeat(71)).segments).toBe(2);
    expect(countSegments('á'.repeat(134)).segments).toBe(2);
    expect(countSegments('á'.repeat(135)).segments).toBe(3);
  });

  it('counts an emoji as two UTF-16 units', () => {
    expect(countSegments('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', segments: 1, units: 70 });
  });

  it('maps accented vowels to GSM-7 look-alikes so the message stays GSM-7', () => {
    const text = toGsm7Lookalikes('Contactará en los próximos días');
    expect(text).toBe('Contactara en los proximos dias');
    expect(isGsm7(text)).toBe(true);
  });
});
