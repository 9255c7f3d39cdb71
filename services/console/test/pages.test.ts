import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, type matching } from '@kindred/contracts';
import { signedIn, startHarness, users, type Harness, type Browserless } from './support/console.harness.js';
import { sentinels } from './support/fake-matching.server.js';

let h: Harness;
let cora: Browserless;

beforeAll(async () => {
  h = await startHarness();
  cora = await signedIn(h.url, users.coordinator.username);
});
afterAll(async () => {
  await h.stop();
});

function callsOf(method: string) {
  return h.matching.calls.filter((c) => c.method === method);
}

async function csrf(path: string): Promise<string> {
  return cora.csrfFrom(path);
}

describe('the queue', () => {
  it('shows urgent intakes first, with the crisis guidance, then urgent proposals, then the longest waiting', async () => {
    const page = await cora.get('/queue');
    expect(page.status).toBe(200);
    const body = page.body;
    const at = (text: string) => body.indexOf(text);
    expect(at('Urgent: people at risk')).toBeGreaterThan(0);
    expect(at('Newcomer 7F3K')).toBeGreaterThan(at('Urgent: people at risk'));
    expect(body).toContain('call or text 988');
    expect(at('Newcomer 7F3K')).toBeLessThan(at('id="proposals-heading"'));
    // Urgent proposal (2 h) before the 72 h one before the 30 h one? No: urgent first, then longest waiting.
    expect(at('Newcomer 5HUR')).toBeLessThan(at('Newcomer 3FJA'));
    expect(at('Newcomer 3FJA')).toBeLessThan(at('Newcomer 9TQE'));
    expect(body).toContain('waiting long');
  });

  it('passes the filters to the matching service and refuses an unknown one', async () => {
    const page = await cora.get(`/queue?state=needs_attention&topic=${events.Topic.TOPIC_ANXIETY}&language=en`);
    expect(page.status).toBe(200);
    const request = callsOf('listProposals').at(-1)?.request as matching.ListProposalsRequest;
    expect(request.states).toEqual([events.MatchState.MATCH_STATE_NEEDS_ATTENTION]);
    expect(request.topic).toBe(events.Topic.TOPIC_ANXIETY);
    expect(request.language).toBe('en');
    expect(page.body).toContain('Newcomer 8NBS');
    expect(page.body).not.toContain('Newcomer 3FJA');

    const bad = await cora.get('/queue?state=everything');
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('state');
  });

  it('sends the console token and the signed-in coordinator on every call', async () => {
    await cora.get('/queue');
    const last = callsOf('listUrgentNewcomers').at(-1);
    expect(last?.authorization).toBe(`Bearer ${h.matching.token}`);
    expect(last?.actor).toBe(h.ids.coordinator);
  });
});

describe('a match in detail', () => {
  it('puts both people side by side with the facts for the decision and explains the score', async () => {
    const page = await cora.get('/matches/m-mid');
    expect(page.status).toBe(200);
    const body = page.body;
    expect(body).toContain('Newcomer 9TQE');
    expect(body).toContain('Peer M2XT');
    expect(body).toContain('Anxiety');
    expect(body).toContain('2 hours a week when both are available');
    expect(body).toContain('1 h apart in time zones');
    expect(body).toMatch(/about 10 years further along in recovery/);
    expect(body).toContain('2 of 3 matches');
    expect(body).toContain('Must be: woman');

    // "Same as me" names the newcomer's gender, in words.
    const same = (await cora.get('/matches/m-fresh')).body;
    expect(same).toContain('Would like: woman, the same as the newcomer');
    expect(same).not.toContain(': =');
    // The score, factor by factor: a chart with its text equivalent and the engine's sentences.
    expect(body).toContain('Contribution of each factor to the score');
    expect(body).toMatch(/Shared experience: 0\.28 points \(weight 0\.35\)/);
    expect(body).toContain('<svg class="bar"');
    expect(body).toContain('Shares 1 of 2 topics: Anxiety.');
    // Other candidates and why others were skipped.
    expect(body).toContain('Peer W4RN: score 0.58, rank 2, 3 free places');
    expect(body).toContain('Speaks none of the newcomer’s languages.');
    expect(body).toContain('Already carries as many matches as they can.');
  });

  it('never shows what the decision does not need: region, exact dates, age, contact details', async () => {
    for (const path of ['/matches/m-old', '/matches/m-mid', '/queue', '/follow-up', '/peers', '/insights']) {
      const body = (await cora.get(path)).body;
      expect(body, path).not.toContain(sentinels.region);
      expect(body, path).not.toContain(sentinels.newcomerRecoveryDate);
      expect(body, path).not.toContain(sentinels.peerRecoveryDate);
      expect(body, path).not.toMatch(/25[–-]34|45[–-]54|AGE_BAND/);
      expect(body, path).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.]+/);
      expect(body.match(/\+\d{7,}|\b\d{3}[\s.-]\d{3}[\s.-]\d{4}\b|\b\d{9,}\b/g) ?? [], path).toEqual([]);
    }
  });

  it('approves with the version the coordinator saw, recording who approved', async () => {
    const token = await csrf('/matches/m-old');
    const response = await cora.post('/matches/m-old/approve', { _csrf: token, version: '1' });
    expect(response.status).toBe(303);
    expect(response.location).toBe('/matches/m-old?notice=approved');
    const call = callsOf('approveMatch').at(-1);
    expect(call?.request).toMatchObject({ matchId: 'm-old', expectedVersion: 1, actor: h.ids.coordinator });
    expect(call?.actor).toBe(h.ids.coordinator);
    expect(call?.authorization).toBe(`Bearer ${h.matching.token}`);
    const after = await cora.get(response.location ?? '');
    expect(after.body).toContain('Approved. The introductions are on their way.');
    // The history names the coordinator by username; the audit itself holds only the pseudonymous id.
    expect(after.body).toMatch(/<code>match\.approved<\/code> \(cora\)/);
    expect(after.body).toContain('This match is approved');
    expect(after.body).not.toContain('action="/matches/m-old/approve"');
  });

  it('answers a stale decision with a conflict page and changes nothing', async () => {
    const token = await csrf('/queue');
    const response = await cora.post('/matches/m-old/approve', { _csrf: token, version: '1' });
    expect(response.status).toBe(409);
    expect(response.body).toContain('Nothing was changed');
  });

  it('refuses a decline without a reason before calling the matching service', async () => {
    const token = await csrf('/queue');
    const before = callsOf('declineMatch').length;
    const response = await cora.post('/matches/m-mid/decline', { _csrf: token, version: '1', reason: '' });
    expect(response.status).toBe(400);
    expect(response.body).toContain('Choose a reason');
    expect(callsOf('declineMatch').length).toBe(before);
  });

  it('declines with a reason and shows the next candidate for the same newcomer', async () => {
    const token = await csrf('/matches/m-mid');
    const response = await cora.post('/matches/m-mid/decline', { _csrf: token, version: '1', reason: 'DECLINE_REASON_LOGISTICS' });
    expect(response.status).toBe(303);
    expect(response.location).toBe('/matches/m-mid-2?notice=declined_next');
    expect(callsOf('declineMatch').at(-1)?.request).toMatchObject({ reason: events.DeclineReason.DECLINE_REASON_LOGISTICS, actor: h.ids.coordinator });
    const next = await cora.get(response.location ?? '');
    expect(next.body).toContain('Declined. This is the next candidate');
    expect(next.body).toContain('Newcomer 9TQE');
    expect(next.body).toContain('Peer W4RN');
  });

  it('reassigns to a chosen peer with a reason code', async () => {
    const token = await csrf('/matches/m-fresh');
    const bad = await cora.post('/matches/m-fresh/reassign', { _csrf: token, version: '1', peer: 'peer-c', reason: 'because I said so' });
    expect(bad.status).toBe(400);
    const response = await cora.post('/matches/m-fresh/reassign', { _csrf: token, version: '1', peer: 'peer-c', reason: 'schedule_fit' });
    expect(response.status).toBe(303);
    expect(response.location).toBe('/matches/m-fresh-r?notice=reassigned');
    expect(callsOf('reassignMatch').at(-1)?.request).toMatchObject({ peerId: 'peer-c', reason: 'schedule_fit', actor: h.ids.coordinator });
  });

  it('refuses an oversized form with a page, not a stack trace', async () => {
    const token = await csrf('/queue');
    const response = await cora.post('/matches/m-fresh/decline', { _csrf: token, version: '1', reason: 'x'.repeat(20_000) });
    expect(response.status).toBe(413);
    expect(response.body).toContain('<main id="main"');
    expect(response.body).not.toMatch(/\bat .+\.ts:\d+/);
  });

  it('shows a not-found page for an unknown match', async () => {
    const response = await cora.get('/matches/no-such-match');
    expect(response.status).toBe(404);
  });
});

describe('peers', () => {
  it('shows load, capacity and pause state, and pauses and resumes a peer', async () => {
    const page = await cora.get('/peers');
    expect(page.body).toContain('2 of 3 matches');
    expect(page.body).toContain('At capacity');
    expect(page.body).toMatch(/Paused until/);
    const token = await csrf('/peers');
    const until = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const bad = await cora.post('/peers/peer-a/pause', { _csrf: token, until: '2020-01-01', reason: 'vacation' });
    expect(bad.status).toBe(400);
    const paused = await cora.post('/peers/peer-a/pause', { _csrf: token, until, reason: 'vacation' });
    expect(paused.status).toBe(303);
    const request = callsOf('pausePeer').at(-1)?.request as matching.PausePeerRequest;
    expect(request.until?.toISOString().slice(0, 10)).toBe(until);
    expect(request).toMatchObject({ peerId: 'peer-a', reason: 'vacation', actor: h.ids.coordinator });
    expect((await cora.get('/peers')).body).toContain('action="/peers/peer-a/resume"');
    const resumed = await cora.post('/peers/peer-a/resume', { _csrf: token });
    expect(resumed.status).toBe(303);
    expect(h.matching.peers.get('peer-a')?.pausedUntil).toBeUndefined();
  });
});

describe('follow-up', () => {
  it('shows each introduction per channel, and for a failure what went wrong and what to do', async () => {
    const page = await cora.get('/follow-up');
    const body = page.body;
    const attention = body.indexOf('id="attention-heading"');
    const approved = body.indexOf('id="approved-heading"');
    expect(body.indexOf('Newcomer 8NBS')).toBeGreaterThan(attention);
    expect(body.indexOf('Newcomer 8NBS')).toBeLessThan(approved);
    expect(body).toContain('twilio_21610');
    expect(body).toContain('replied STOP');
    expect(body.indexOf('Newcomer 2DKW')).toBeGreaterThan(approved);
    expect(body).toContain('delivered');
  });
});

describe('insights', () => {
  it('charts the waiting times, decisions, peer load and long waits, and searches the audit log', async () => {
    const page = await cora.get('/insights?q=match.proposed');
    const body = page.body;
    expect(body).toContain('median 3 h, 90% within 20 h');
    expect(body).toContain('24 approved and 6 declined of 30 decided (80% approved)');
    expect(body).toContain('Logistics (language, schedule, meeting mode): 4');
    expect(body).toContain('5 peers with 1 matches');
    expect(body).toContain('1 proposals have waited more than 24 h');
    expect((callsOf('listAudit').at(-1)?.request as matching.ListAuditRequest).query).toBe('match.proposed');
    expect(body).toContain('<code>match.proposed</code>');
    expect(body).toContain('system:matching');
  });

  it('lets the coordinator set what counts as waiting too long, within bounds', async () => {
    const page = await cora.get('/insights?threshold_hours=6');
    expect(page.status).toBe(200);
    expect((callsOf('getInsights').at(-1)?.request as matching.GetInsightsRequest).waitingThresholdMinutes).toBe(360);
    expect(page.body).toContain('have waited more than 6 h');
    const before = callsOf('getInsights').length;
    expect((await cora.get('/insights?threshold_hours=0')).status).toBe(400);
    expect((await cora.get('/insights?threshold_hours=abc')).status).toBe(400);
    expect(callsOf('getInsights').length).toBe(before);
  });
});

describe('languages', () => {
  it('speaks Spanish when asked by ?lang=es, remembers it, and follows Accept-Language otherwise', async () => {
    const es = await cora.get('/queue?lang=es');
    expect(es.body).toContain('<html lang="es">');
    expect(es.body).toContain('Urgente: personas en riesgo');
    const remembered = await cora.get('/peers');
    expect(remembered.body).toContain('<html lang="es">');
    await cora.get('/queue?lang=en');
    const fresh = await signedIn(h.url, users.both.username);
    fresh.cookies.delete('kc_lang');
    const negotiated = await fresh.get('/queue', { 'accept-language': 'es-MX,es;q=0.9,en;q=0.5' });
    expect(negotiated.body).toContain('<html lang="es">');
    const english = await fresh.get('/queue', { 'accept-language': 'de-DE, en;q=0.8' });
    expect(english.body).toContain('<html lang="en">');
  });
});

describe('after the introduction', () => {
  it('offers an introduced match "they have met" and closing, and neither to a match that is not running', async () => {
    const introduced = await cora.get('/matches/m-appr');
    expect(introduced.body).toContain('action="/matches/m-appr/active"');
    expect(introduced.body).toContain('They have met — mark active…');
    expect(introduced.body).toContain('action="/matches/m-appr/close"');
    expect(introduced.body).toContain('value="CLOSE_REASON_COMPLETED"');
    expect(introduced.body).not.toContain('value="CLOSE_REASON_ERASED"');
    const attention = await cora.get('/matches/m-attn');
    expect(attention.body).toContain('action="/matches/m-attn/close"');
    expect(attention.body).not.toContain('action="/matches/m-attn/active"');
    const proposed = await cora.get('/matches/m-fresh-r');
    expect(proposed.body).not.toContain('action="/matches/m-fresh-r/close"');
    expect(proposed.body).not.toContain('action="/matches/m-fresh-r/active"');
    const spanish = await cora.get('/matches/m-appr?lang=es');
    expect(spanish.body).toContain('Ya se conocieron: marcar como activo…');
    expect(spanish.body).toContain('Cerrar el emparejamiento…');
    expect(spanish.body).toContain('Acompañamiento terminado');
    await cora.get('/queue?lang=en');
  });

  it('marks an introduced match active with the version the coordinator saw, recording who confirmed it', async () => {
    const token = await csrf('/matches/m-appr');
    const stale = await cora.post('/matches/m-appr/active', { _csrf: token, version: '7' });
    expect(stale.status).toBe(409);
    expect(h.matching.matches.get('m-appr')?.summary?.state).toBe(events.MatchState.MATCH_STATE_INTRODUCED);

    const response = await cora.post('/matches/m-appr/active', { _csrf: token, version: '1' });
    expect(response.status).toBe(303);
    expect(response.location).toBe('/matches/m-appr?notice=marked_active');
    const call = callsOf('markActive').at(-1);
    expect(call?.request).toMatchObject({ matchId: 'm-appr', expectedVersion: 1, actor: h.ids.coordinator });
    expect(call?.actor).toBe(h.ids.coordinator);
    const after = await cora.get(response.location ?? '');
    expect(after.body).toContain('Marked active. The peer and the newcomer have met.');
    expect(after.body).toMatch(/<code>match\.active<\/code> \(cora\) — First meeting confirmed/);
    expect(after.body).toContain('This match is active');
    expect(after.body).not.toContain('action="/matches/m-appr/active"');
    expect(after.body).toContain('action="/matches/m-appr/close"');
    // Follow-up lists it among the active matches, from where it can be closed when support ends.
    const followUp = (await cora.get('/follow-up')).body;
    const active = followUp.indexOf('id="active-heading"');
    expect(active).toBeGreaterThan(0);
    expect(followUp.indexOf('href="/matches/m-appr"')).toBeGreaterThan(active);
  });

  it('closes a running match only with a reason, and then offers nothing more', async () => {
    const token = await csrf('/matches/m-appr');
    const before = callsOf('closeMatch').length;
    const missing = await cora.post('/matches/m-appr/close', { _csrf: token, version: '2', reason: '' });
    expect(missing.status).toBe(400);
    expect(missing.body).toContain('Choose a reason');
    const erased = await cora.post('/matches/m-appr/close', { _csrf: token, version: '2', reason: 'CLOSE_REASON_ERASED' });
    expect(erased.status).toBe(400);
    expect(callsOf('closeMatch').length).toBe(before);

    const response = await cora.post('/matches/m-appr/close', { _csrf: token, version: '2', reason: 'CLOSE_REASON_NO_CONTACT' });
    expect(response.status).toBe(303);
    expect(response.location).toBe('/matches/m-appr?notice=closed');
    expect(callsOf('closeMatch').at(-1)?.request).toMatchObject({
      matchId: 'm-appr',
      expectedVersion: 2,
      reason: events.CloseReason.CLOSE_REASON_NO_CONTACT,
      actor: h.ids.coordinator,
    });
    const after = await cora.get(response.location ?? '');
    expect(after.body).toContain('Closed. The peer&#39;s slot is free again.');
    expect(after.body).toMatch(/<code>match\.closed<\/code> \(cora\) — They never got in touch/);
    expect(after.body).toContain('This match is closed');
    expect(after.body).not.toContain('action="/matches/m-appr/close"');
  });
});
