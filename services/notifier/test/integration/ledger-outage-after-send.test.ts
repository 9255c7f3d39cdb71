import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxClient } from '@kindred/sandbox';
import { testInfra, uniqueName } from '@kindred/testkit';
import { startNotifier, type RunningNotifier } from '../../src/notifier.app.js';
import type { DeliveryLedger } from '../../src/data-access/delivery-ledger.repository.js';
import { deliveryIdFor } from '../../src/domain/plan-introduction.js';
import { introduceMatch } from '../../src/use-cases/introduce-match.js';
import { sendDelivery } from '../../src/use-cases/send-delivery.js';
import { startContactDirectoryTestServer, type ContactDirectoryTestServer, type TestPerson } from '../support/contact-directory.test-server.js';
import { addTestPerson, createTestTopics, notifierTestConfig, notifierTestEnv, testLogger } from '../support/notifier-harness.js';

/**
 * The fault suite once saw an introduction email go out twice with no notifier crash: MongoDB restarted just after
 * the SMTP server accepted it, the "sent" write failed, the job threw, and its next attempt sent again once the
 * claim's lease ran out. These tests put a ledger in front of the real one that fails that write for a while.
 */
const infra = testInfra();
const sandbox = sandboxClient(infra.sandboxUrl ?? '');
const log = testLogger();

let directory: ContactDirectoryTestServer;
let notifier: RunningNotifier;

const person = (kind: TestPerson['kind']): TestPerson =>
  addTestPerson(directory, kind, { consents: { email: true, sms: false, shareFirstName: true, shareTopics: true } });

/** The real ledger, except that its first `failures` "sent" writes fail as a MongoDB restart makes them fail. */
function ledgerThatLosesSentWrites(failures: number): DeliveryLedger & { readonly sentWrites: () => number } {
  const real = notifier.ledger;
  let calls = 0;
  return {
    ...real,
    markSent: (...args) => {
      calls += 1;
      if (calls <= failures) return Promise.reject(Object.assign(new Error('connection 3 to 127.0.0.1:27117 closed'), { name: 'MongoNetworkError' }));
      return real.markSent(...args);
    },
    sentWrites: () => calls,
  };
}

/** A planned, not yet queued, email introduction to a new peer; its delivery id. */
async function plannedPeerEmail(): Promise<{ deliveryId: string; peer: TestPerson }> {
  const peer = person('peer');
  const newcomer = person('newcomer');
  const matchId = uniqueName('match');
  const deps = { ...notifier.introduceDeps, enqueue: () => Promise.resolve() };
  await introduceMatch(deps, { matchId, peerId: peer.subjectId, newcomerId: newcomer.subjectId, sharedTopics: [], shareTopicsConsented: false }, '', log);
  return { deliveryId: deliveryIdFor(matchId, peer.subjectId, 'email'), peer };
}

beforeAll(async () => {
  directory = await startContactDirectoryTestServer();
  const env = notifierTestEnv('notifier_ledger_outage', directory.address, { NOTIFIER_SENDING_WINDOW: '00:00-24:00' });
  await createTestTopics(env, log);
  notifier = await startNotifier({ config: notifierTestConfig(env), log });
});

afterAll(async () => {
  await notifier?.stop();
  await directory?.close();
});

describe('when the ledger cannot record a send the provider accepted', () => {
  it('records it once the ledger answers again, so the next attempt sends nothing', async () => {
    const { deliveryId, peer } = await plannedPeerEmail();
    const ledger = ledgerThatLosesSentWrites(3);

    const outcome = await sendDelivery({ ...notifier.sendDeps, ledger, claimLeaseMs: 30_000 }, deliveryId, { isLast: false }, log);

    expect(outcome.kind).toBe('sent');
    expect(ledger.sentWrites()).toBe(4);
    expect(await notifier.ledger.get(deliveryId)).toMatchObject({ status: 'sent' });
    // What the job's retry would do: nothing.
    expect(await sendDelivery(notifier.sendDeps, deliveryId, { isLast: false }, log)).toEqual({ kind: 'skipped', status: 'sent' });
    expect(await sandbox.waitForMail(peer.email, { timeoutMs: 10_000 })).toBeDefined();
    expect(await sandbox.listMail({ to: peer.email })).toHaveLength(1);
  });

  it('gives up while its claim still holds, rethrows, and leaves the delivery claimed, not free to resend at once', async () => {
    const { deliveryId } = await plannedPeerEmail();
    const ledger = ledgerThatLosesSentWrites(Number.MAX_SAFE_INTEGER);

    await expect(sendDelivery({ ...notifier.sendDeps, ledger, claimLeaseMs: 2_500 }, deliveryId, { isLast: false }, log)).rejects.toThrow('closed');

    expect(ledger.sentWrites()).toBeGreaterThan(1);
    // Still claimed (the sweeper or a later attempt takes it after the lease): neither marked sent nor released.
    expect(await notifier.ledger.get(deliveryId)).toMatchObject({ status: 'sending' });
  });
});
