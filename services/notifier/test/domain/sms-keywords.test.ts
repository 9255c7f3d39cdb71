import { describe, expect, it } from 'vitest';
import { smsKeywordOf } from '../../src/domain/sms-keywords.js';

describe('SMS keywords', () => {
  it.each(['STOP', 'stop', ' Stop ', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'])('"%s" opts out', (body) => {
    expect(smsKeywordOf(body)).toBe('stop');
  });

  it.each(['START', 'unstop'])('"%s" opts back in', (body) => {
    expect(smsKeywordOf(body)).toBe('start');
  });

  it.each(['HELP', 'info'])('"%s" asks for help', (body) => {
    expect(smsKeywordOf(body)).toBe('help');
  });

  it.each(['stop please', 'Thanks!', '', 'STOP.'])('"%s" is not a keyword', (body) => {
    expect(smsKeywordOf(body)).toBeNull();
  });
});
