import { describe, expect, it } from 'vitest';
import { testNameCreatedAt, uniqueName } from '@kindred/testkit';

describe('test names', () => {
  it('are unique, carry the time they were made, and are found again at the start of longer names', () => {
    const before = Date.now();
    const name = uniqueName('e2e_flow');
    expect(name).not.toBe(uniqueName('e2e_flow'));
    const createdAt = testNameCreatedAt(name);
    expect(createdAt).toBeGreaterThanOrEqual(before);
    expect(createdAt).toBeLessThanOrEqual(Date.now());
    expect(testNameCreatedAt(`${name}.kindred.intake.newcomers.v1`)).toBe(createdAt);
    expect(testNameCreatedAt(`${name}:console:session:1`)).toBe(createdAt);
    expect(testNameCreatedAt(`${name}_notifier`)).toBe(createdAt);
  });

  it('leave every other name alone', () => {
    for (const other of ['kindred.intake.newcomers.v1', 'kindred_intake', '__consumer_offsets', 'kindred-matching', 'kt_', 'kt_something_zz_12345678', 'kindred:console:x']) {
      expect(testNameCreatedAt(other), other).toBeUndefined();
    }
  });
});
