import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, health, intake } from '@kindred/contracts';
import { waitFor } from '@kindred/testkit';
import { startHarness, type IntakeHarness } from './support/intake-harness.js';
import { validNewcomer, validPeer } from './support/fixtures.js';

let h: IntakeHarness;
let directory: intake.ContactDirectoryClient;
let admin: intake.PrivacyAdminClient;
let healthClient: health.HealthClient;

beforeAll(async () => {
  h = await startHarness({ name: 'intake_grpc' });
  directory = new intake.ContactDirectoryClient(h.app.grpcAddress, credentials.createInsecure());
  admin = new intake.PrivacyAdminClient(h.app.grpcAddress, credentials.createInsecure());
  healthClient = new health.HealthClient(h.app.grpcAddress, credentials.createInsecure());
});
afterAll(async () => {
  directory.close();
  admin.close();
  healthClient.close();
  await h.stop();
});

const bearer = (token: string | undefined) => {
  const metadata = new Metadata();
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
  return metadata;
};

function call<Req, Res>(
  fn: (request: Req, metadata: Metadata, callback: (error: ServiceError | null, response: Res) => void) => unknown,
  request: Req,
  metadata: Metadata,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    fn(request, metadata, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

const getContact = (subjectId: string, token: string | undefined) =>
  call<intake.GetContactRequest, intake.GetContactResponse>(directory.getContact.bind(directory), { subjectId, purpose: 'introduction', referenceId: 'delivery-1' }, bearer(token));

async function newcomerId(overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await h.postJson('/v1/intakes', validNewcomer(overrides));
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe('ContactDirectory', () => {
  it('returns the decrypted contact and consents to the notifier, and audits the read without PII', async () => {
    const id = await newcomerId();
    const contact = await getContact(id, h.directoryToken);
    expect(contact).toMatchObject({
      subjectId: id,
      kind: events.SubjectKind.SUBJECT_KIND_NEWCOMER,
      firstName: 'Alexandra',
      email: 'alex.rivera@example.org',
      phoneE164: '+12015550123',
      preferredChannel: events.Channel.CHANNEL_SMS,
      locale: 'en',
      timeZone: 'America/Chicago',
      consents: { email: true, sms: true, shareFirstName: true, shareTopics: true, noticeVersion: '2026-01' },
    });
    expect(contact.consents?.consentedAt).toBeInstanceOf(Date);

    const audit = await h.db.collection('directory_audit').find({ subjectIds: id }).toArray();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'get_contact', caller: 'notifier', outcome: 'ok', purpose: 'introduction', referenceId: 'delivery-1', at: expect.any(Date) as unknown });
    expect(JSON.stringify(audit)).not.toMatch(/Alexandra|example\.org|2015550123/);
  });

  it('returns a peer contact too', async () => {
    const res = await h.postJson('/v1/peers', validPeer());
    const { id } = (await res.json()) as { id: string };
    const contact = await getContact(id, h.directoryToken);
    expect(contact).toMatchObject({ kind: events.SubjectKind.SUBJECT_KIND_PEER, firstName: 'Marisol', phoneE164: '+34612345678', locale: 'es', preferredChannel: events.Channel.CHANNEL_EMAIL });
  });

  it('refuses a caller without the credential (UNAUTHENTICATED) and one with the admin credential (PERMISSION_DENIED)', async () => {
    const id = await newcomerId();
    await expect(getContact(id, undefined)).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    await expect(getContact(id, 'a-wrong-token-of-sufficient-length')).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    await expect(getContact(id, h.adminToken)).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    const audit = await h.db.collection('directory_audit').find({ action: 'get_contact', outcome: 'unauthenticated' }).toArray();
    expect(audit.length).toBeGreaterThanOrEqual(3);
  });

  it('answers NOT_FOUND for an unknown subject and INVALID_ARGUMENT for a malformed request', async () => {
    await expect(getContact('01J00000000000000000000000', h.directoryToken)).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(call<intake.GetContactRequest, intake.GetContactResponse>(directory.getContact.bind(directory), { subjectId: '', purpose: 'Intro!', referenceId: '' }, bearer(h.directoryToken))).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
  });

  it('records an SMS opt-out by phone number through the blind index, for every subject with that number', async () => {
    const phone = '+1 201 555 0177';
    const a = await newcomerId({ contact: { phone } });
    const b = await newcomerId({ contact: { phone: '(201) 555-0177', email: 'b@example.org' } });
    const other = await newcomerId({ contact: { phone: '+12015550178' } });
    const response = await call<intake.SetSmsConsentByPhoneRequest, intake.SetSmsConsentByPhoneResponse>(directory.setSmsConsentByPhone.bind(directory), { phoneE164: '+12015550177', consented: false, source: 'sms_keyword_stop' }, bearer(h.directoryToken));
    expect(response.matchedSubjects.sort()).toEqual([a, b].sort());
    expect((await getContact(a, h.directoryToken)).consents?.sms).toBe(false);
    expect((await getContact(other, h.directoryToken)).consents?.sms).toBe(true);
    await expect(
      call<intake.SetSmsConsentByPhoneRequest, intake.SetSmsConsentByPhoneResponse>(directory.setSmsConsentByPhone.bind(directory), { phoneE164: '2015550177', consented: true, source: 'sms_keyword_start' }, bearer(h.directoryToken)),
    ).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });

  it('returns the new contact after a peer changed it, and finds the new number by its blind index', async () => {
    const { id, editToken } = (await (await h.postJson('/v1/peers', validPeer())).json()) as { id: string; editToken: string };
    const put = await fetch(`${h.app.url}/v1/peers/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${editToken}` },
      body: JSON.stringify({ contact: { email: 'marisol.new@example.org', phone: '+34 699 11 22 33' }, firstName: 'Mari' }),
    });
    expect(put.status).toBe(200);
    expect(await getContact(id, h.directoryToken)).toMatchObject({ firstName: 'Mari', email: 'marisol.new@example.org', phoneE164: '+34699112233' });
    const stored = JSON.stringify(await h.db.collection('peers').findOne({ _id: id as never }));
    expect(stored).not.toMatch(/"Mari"|marisol|34699112233|699 11 22 33/);
    const stop = await call<intake.SetSmsConsentByPhoneRequest, intake.SetSmsConsentByPhoneResponse>(
      directory.setSmsConsentByPhone.bind(directory),
      { phoneE164: '+34699112233', consented: false, source: 'sms_keyword_stop' },
      bearer(h.directoryToken),
    );
    expect(stop.matchedSubjects).toEqual([id]);
    const old = await call<intake.SetSmsConsentByPhoneRequest, intake.SetSmsConsentByPhoneResponse>(
      directory.setSmsConsentByPhone.bind(directory),
      { phoneE164: '+34612345678', consented: false, source: 'sms_keyword_stop' },
      bearer(h.directoryToken),
    );
    expect(old.matchedSubjects).not.toContain(id);
  });

  it('tells matching when a peer who is reached by SMS opts out', async () => {
    const res = await h.postJson('/v1/peers', validPeer({ contact: { phone: '+1 201 555 0166' }, preferredChannel: 'sms', consents: { contactByEmail: false, contactBySms: true, shareFirstName: true, shareTopics: true, noticeVersion: '2026-01' } }));
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await call<intake.SetSmsConsentByPhoneRequest, intake.SetSmsConsentByPhoneResponse>(
      directory.setSmsConsentByPhone.bind(directory),
      { phoneE164: '+12015550166', consented: false, source: 'sms_keyword_stop' },
      bearer(h.directoryToken),
    );
    const upserts = await waitFor(() => {
      const mine = h.published(h.topics.peers).filter((e) => e.record.key === id);
      return mine.length >= 2 ? mine : undefined;
    });
    const consented = upserts.map((e) => (e.envelope.event.$case === 'peerProfileUpserted' ? e.envelope.event.peerProfileUpserted.consented : undefined));
    expect(consented).toEqual([true, false]);
  });

  it('reports SERVING on the health service', async () => {
    const response = await call<health.HealthCheckRequest, health.HealthCheckResponse>(healthClient.check.bind(healthClient), { service: '' }, new Metadata());
    expect(response.status).toBe(health.HealthCheckResponse_ServingStatus.SERVING);
  });
});

describe('PrivacyAdmin.EraseSubject', () => {
  const erase = (subjectId: string, token: string | undefined) => call<intake.EraseSubjectRequest, intake.EraseSubjectResponse>(admin.eraseSubject.bind(admin), { subjectId, reason: 'subject_request', actor: 'op-7' }, bearer(token));

  it('destroys the key, removes contact fields, publishes SubjectErased, and is idempotent', async () => {
    const id = await newcomerId();
    await expect(erase(id, h.directoryToken)).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    await expect(erase(id, undefined)).rejects.toMatchObject({ code: status.UNAUTHENTICATED });

    const first = await erase(id, h.adminToken);
    expect(first).toMatchObject({ subjectId: id, kind: events.SubjectKind.SUBJECT_KIND_NEWCOMER, alreadyErased: false });
    const again = await erase(id, h.adminToken);
    expect(again.alreadyErased).toBe(true);

    expect(await h.db.collection('subject_keys').findOne({ _id: id as never })).toBeNull();
    const doc = await h.db.collection('newcomers').findOne({ _id: id as never });
    expect(doc).not.toHaveProperty('pii');
    expect(doc).not.toHaveProperty('phoneIndex');
    expect(doc).not.toHaveProperty('emailIndex');
    expect(doc!['erasedAt']).toBeInstanceOf(Date);
    await expect(getContact(id, h.directoryToken)).rejects.toMatchObject({ code: status.NOT_FOUND });

    const erased = (await h.waitForEvents(h.topics.erasures, 1)).filter((e) => e.record.key === id);
    expect(erased).toHaveLength(1);
    const event = erased[0]!.envelope.event;
    if (event.$case !== 'subjectErased') throw new Error('wrong payload');
    expect(event.subjectErased).toMatchObject({ subjectId: id, subjectKind: events.SubjectKind.SUBJECT_KIND_NEWCOMER });
  });

  it('erases a peer, who can then no longer change the profile', async () => {
    const { id, editToken } = (await (await h.postJson('/v1/peers', validPeer())).json()) as { id: string; editToken: string };
    expect(await erase(id, h.adminToken)).toMatchObject({ kind: events.SubjectKind.SUBJECT_KIND_PEER, alreadyErased: false });
    const put = await fetch(`${h.app.url}/v1/peers/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${editToken}` },
      body: JSON.stringify({ capacity: 1 }),
    });
    expect(put.status).toBe(404);
    await expect(erase('01J00000000000000000000000', h.adminToken)).rejects.toMatchObject({ code: status.NOT_FOUND });
  });
});
