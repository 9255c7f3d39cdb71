import { afterEach, describe, expect, it } from 'vitest';
import { signedIn, startHarness, users, type Harness } from './support/console.harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('when the matching service cannot help', () => {
  it('says so in plain words when it does not answer, and the console keeps running', async () => {
    h = await startHarness({ MATCHING_GRPC_ADDR: '127.0.0.1:1', MATCHING_DEADLINE_MS: '2000' });
    const cora = await signedIn(h.url, users.coordinator.username);
    const page = await cora.get('/queue');
    expect(page.status).toBe(503);
    expect(page.body).toContain('The matching service is not answering');
    expect(page.body).toContain('Nothing was changed');
    expect((await cora.get('/admin/accounts')).status).toBe(403);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });

  it('treats a refused console token as unavailable, without showing the token', async () => {
    h = await startHarness({ MATCHING_SERVICE_TOKEN: 'a-token-the-matching-service-refuses' });
    const cora = await signedIn(h.url, users.coordinator.username);
    const page = await cora.get('/queue');
    expect(page.status).toBe(503);
    expect(page.body).not.toContain('a-token-the-matching-service-refuses');
    expect(h.matching.calls.at(-1)?.authorization).toBe('Bearer a-token-the-matching-service-refuses');
  });
});
