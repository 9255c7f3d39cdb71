import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, matching } from '@kindred/contracts';
import { sandboxClient } from '@kindred/sandbox';
import { waitFor } from '@kindred/testkit';
import { startKindred } from './kindred-world.js';
import { journeyPeople } from './journey-people.fixtures.js';

type Kindred = Awaited<ReturnType<typeof startKindred>>;
let kindred: Kindred;
const run = randomBytes(4).toString('hex');
const { peer, newcomer } = journeyPeople('', run);

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  kindred = await startKindred('e2e_flow');
}, 120_000);

afterAll(async () => {
  await kindred.stop();
});

describe('from an intake form to introductions, through every service and the real servers', () => {
  it('proposes the peer, and once a coordinator approves, introduces both by the channels they consented to', async () => {
    const sandbox = sandboxClient(kindred.infra.sandboxUrl ?? '');
    const enrolled = await post(`${kindred.intakeUrl}/v1/peers`, peer);
    expect(enrolled.status).toBe(201);
    const registered = await post(`${kindred.intakeUrl}/v1/intakes`, newcomer);
    expect(registered.status).toBe(201);
    const newcomerId = String(registered.json['id']);

    const proposal = await waitFor(
      async () => (await kindred.coordinator.listProposals({ pageSize: 50 })).matches.find((p) => p.newcomerId === newcomerId),
      { timeoutMs: 45_000, description: 'a proposal for the newcomer' },
    );
    expect(proposal.peerId).toBe(String(enrolled.json['id']));
    expect(proposal.sharedTopics).toContain(events.Topic.TOPIC_GRIEF);

    const detail = await kindred.coordinator.getMatch(proposal.matchId);
    expect(detail.match?.factors.length).toBeGreaterThan(0);
    expect(detail.match?.factors.every((f) => f.sentence.length > 0)).toBe(true);

    await kindred.coordinator.approve(proposal.matchId, detail.match?.summary?.version ?? 0);

    // The peer consented to email and SMS; the newcomer to email only.
    const [peerMail] = await sandbox.waitForMail(peer.contact.email, { timeoutMs: 45_000 });
    const [newcomerMail] = await sandbox.waitForMail(newcomer.contact.email, { timeoutMs: 45_000 });
    const peerSms = await waitFor(async () => (await sandbox.listSms({ to: peer.contact.phone }))[0], { timeoutMs: 45_000, description: 'the SMS to the peer' });
    expect(peerMail?.text).toContain('Alex');
    expect(newcomerMail?.text).toContain('Marisol');
    for (const text of [peerMail?.subject ?? '', newcomerMail?.subject ?? '', peerSms.body]) {
      expect(text.toLowerCase()).not.toMatch(/grief|duelo|anxiety|ansiedad|depress/);
    }

    const introduced = await waitFor(
      async () => {
        const match = (await kindred.coordinator.getMatch(proposal.matchId)).match;
        return match?.summary?.state === events.MatchState.MATCH_STATE_INTRODUCED ? match : undefined;
      },
      { timeoutMs: 45_000, description: 'the match to become introduced' },
    );
    expect(introduced.deliveries.some((d) => d.state === matching.DeliveryState.DELIVERY_STATE_DELIVERED)).toBe(true);

    // Peer email, peer SMS, newcomer email: each delivered once, and the coordinator sees each one.
    const deliveries = await waitFor(
      async () => {
        const match = (await kindred.coordinator.getMatch(proposal.matchId)).match;
        const delivered = match?.deliveries.filter((d) => d.state === matching.DeliveryState.DELIVERY_STATE_DELIVERED) ?? [];
        return delivered.length === 3 ? delivered : undefined;
      },
      { timeoutMs: 45_000, description: 'all three introductions delivered' },
    );
    expect(deliveries.map((d) => `${d.role}/${d.channel}`).sort()).toEqual(
      [
        `${events.RecipientRole.RECIPIENT_ROLE_NEWCOMER}/${events.Channel.CHANNEL_EMAIL}`,
        `${events.RecipientRole.RECIPIENT_ROLE_PEER}/${events.Channel.CHANNEL_EMAIL}`,
        `${events.RecipientRole.RECIPIENT_ROLE_PEER}/${events.Channel.CHANNEL_SMS}`,
      ].sort(),
    );
    expect(await sandbox.listMail({ to: newcomer.contact.email })).toHaveLength(1);
  });
});
