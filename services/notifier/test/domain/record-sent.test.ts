import { describe, expect, it } from 'vitest';
import { recordSent } from '../../src/use-cases/send-delivery.js';

const fast = { firstMs: 5, maxMs: 20, marginMs: 50 };
const unreachable = () => Object.assign(new Error('connection reset'), { name: 'MongoNetworkError' });

describe('recording a send the provider accepted', () => {
  it('tries again while the ledger cannot be reached, and returns what the write returned once it can', async () => {
    let calls = 0;
    const retries: number[] = [];
    const recorded = await recordSent(
      () => {
        calls += 1;
        return calls <= 3 ? Promise.reject(unreachable()) : Promise.resolve(true);
      },
      performance.now() + 5_000,
      { onRetry: (_error, attempt) => retries.push(attempt) },
      fast,
    );
    expect(recorded).toBe(true);
    expect(calls).toBe(4);
    expect(retries).toEqual([1, 2, 3]);
  });

  it('gives up before the claim can pass to another worker, says so, and rethrows', async () => {
    const leaseEndsAt = performance.now() + 300;
    let gaveUpAt = 0;
    let calls = 0;
    const outcome = recordSent(
      () => {
        calls += 1;
        return Promise.reject(unreachable());
      },
      leaseEndsAt,
      { onGiveUp: () => (gaveUpAt = performance.now()) },
      fast,
    );
    await expect(outcome).rejects.toThrow('connection reset');
    expect(calls).toBeGreaterThan(1);
    expect(gaveUpAt).toBeGreaterThan(0);
    expect(gaveUpAt).toBeLessThan(leaseEndsAt - fast.marginMs);
  });

  it('writes once when the first write works', async () => {
    let calls = 0;
    expect(await recordSent(() => Promise.resolve((calls += 1) === 1), performance.now() + 5_000, {}, fast)).toBe(true);
    expect(calls).toBe(1);
  });
});
