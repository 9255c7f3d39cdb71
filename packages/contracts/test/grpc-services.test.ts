// The generated service definitions work with @grpc/grpc-js over a real connection: a server built
// from them answers a client built from them, and messages (dates, maps, enums) survive the trip.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Server, ServerCredentials, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { events, health, intake, matching } from '@kindred/contracts';

const contact: intake.GetContactResponse = {
  subjectId: 'pr_1',
  kind: events.SubjectKind.SUBJECT_KIND_PEER,
  firstName: 'Ana',
  email: 'ana@example.org',
  phoneE164: '+15555550100',
  preferredChannel: events.Channel.CHANNEL_SMS,
  locale: 'es',
  timeZone: 'America/Denver',
  consents: { email: true, sms: false, shareFirstName: true, shareTopics: true, noticeVersion: 'n-1', consentedAt: new Date('2025-01-02T03:04:05.006Z') },
};

const detail: matching.MatchDetail = matching.MatchDetail.fromPartial({
  summary: { matchId: 'mt_1', state: events.MatchState.MATCH_STATE_PROPOSED, newcomerDisplayLabel: 'Newcomer 7F3K', version: 4 },
  factors: [{ key: 'shared_experience', weight: 0.4, value: 1, contribution: 0.4, sentence: 'Shares 3 of 3 topics' }],
  weights: { shared_experience: 0.4, peer_load: 0.1 },
  skippedCandidates: [{ peerId: 'pr_9', displayLabel: 'Peer 9', reasons: [{ code: 'MATCH.NO_SHARED_LANGUAGE', sentence: 'No shared language' }] }],
  deliveries: [{ deliveryId: 'dl_1', channel: events.Channel.CHANNEL_EMAIL, state: matching.DeliveryState.DELIVERY_STATE_DEFERRED }],
});

const healthImpl: health.HealthServer = {
  check: (call, callback) => {
    if (call.request.service === '' || call.request.service === 'kindred.intake.v1.ContactDirectory') {
      callback(null, { status: health.HealthCheckResponse_ServingStatus.SERVING });
    } else {
      callback({ code: status.NOT_FOUND, details: `unknown service ${call.request.service}` });
    }
  },
  watch: (call) => {
    call.write({ status: health.HealthCheckResponse_ServingStatus.SERVING });
    call.write({ status: health.HealthCheckResponse_ServingStatus.NOT_SERVING });
    call.end();
  },
};

const contactImpl: intake.ContactDirectoryServer = {
  getContact: (call, callback) => {
    if (call.request.subjectId === contact.subjectId) callback(null, contact);
    else callback({ code: status.NOT_FOUND, details: 'CONTACT.NOT_FOUND' });
  },
  setSmsConsentByPhone: (call, callback) => {
    callback(null, { matchedSubjects: call.request.phoneE164 === contact.phoneE164 ? [contact.subjectId] : [] });
  },
};

const matchingImpl: Pick<matching.MatchingServiceServer, 'getMatch'> = {
  getMatch: (_call, callback) => {
    callback(null, { match: detail });
  },
};

let server: Server;
let address: string;

beforeAll(async () => {
  server = new Server();
  server.addService(health.HealthService, healthImpl);
  server.addService(intake.ContactDirectoryService, contactImpl);
  server.addService(matching.MatchingServiceService, matchingImpl);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, boundPort) => (error ? reject(error) : resolve(boundPort)));
  });
  address = `127.0.0.1:${port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
});

function unary<Req, Res>(
  call: (request: Req, callback: (error: ServiceError | null, response: Res) => void) => unknown,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    call(request, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

describe('generated gRPC services over a real connection', () => {
  it('Health.Check answers SERVING for a known service and NOT_FOUND for an unknown one', async () => {
    const client = new health.HealthClient(address, credentials.createInsecure());
    try {
      await expect(unary(client.check.bind(client), { service: '' })).resolves.toEqual({ status: health.HealthCheckResponse_ServingStatus.SERVING });
      await expect(unary(client.check.bind(client), { service: 'nope.v1.Nope' })).rejects.toMatchObject({ code: status.NOT_FOUND });
    } finally {
      client.close();
    }
  });

  it('Health.Watch streams each status', async () => {
    const client = new health.HealthClient(address, credentials.createInsecure());
    try {
      const received: health.HealthCheckResponse[] = [];
      await new Promise<void>((resolve, reject) => {
        const stream = client.watch({ service: '' });
        stream.on('data', (message: health.HealthCheckResponse) => received.push(message));
        stream.on('end', resolve);
        stream.on('error', reject);
      });
      expect(received.map((r) => r.status)).toEqual([
        health.HealthCheckResponse_ServingStatus.SERVING,
        health.HealthCheckResponse_ServingStatus.NOT_SERVING,
      ]);
    } finally {
      client.close();
    }
  });

  it('ContactDirectory returns the contact with its consents and dates intact', async () => {
    const client = new intake.ContactDirectoryClient(address, credentials.createInsecure());
    try {
      const response = await unary<intake.GetContactRequest, intake.GetContactResponse>(client.getContact.bind(client), { subjectId: 'pr_1', purpose: 'introduction', referenceId: 'dl_1' });
      expect(response).toEqual(contact);
      expect(response.consents?.consentedAt).toBeInstanceOf(Date);
      const consent = await unary<intake.SetSmsConsentByPhoneRequest, intake.SetSmsConsentByPhoneResponse>(client.setSmsConsentByPhone.bind(client), { phoneE164: '+15555550100', consented: false, source: 'sms_keyword_stop' });
      expect(consent.matchedSubjects).toEqual(['pr_1']);
    } finally {
      client.close();
    }
  });

  it('MatchingService.GetMatch carries maps and nested explanations; unimplemented methods say so', async () => {
    const client = new matching.MatchingServiceClient(address, credentials.createInsecure());
    try {
      const response = await unary<matching.GetMatchRequest, matching.GetMatchResponse>(client.getMatch.bind(client), { matchId: 'mt_1' });
      expect(response.match).toEqual(detail);
      expect(response.match?.weights).toEqual({ shared_experience: 0.4, peer_load: 0.1 });
      await expect(unary(client.approveMatch.bind(client), { matchId: 'mt_1', actor: 'usr_1', expectedVersion: 4 })).rejects.toMatchObject({
        code: status.UNIMPLEMENTED,
      });
    } finally {
      client.close();
    }
  });
});
