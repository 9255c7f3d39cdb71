import { Server, ServerCredentials, status, type ServiceError } from '@grpc/grpc-js';
import { events, intake } from '@kindred/contracts';

export interface TestPerson {
  subjectId: string;
  kind: 'peer' | 'newcomer';
  firstName: string;
  email: string;
  phoneE164: string;
  locale: 'en' | 'es';
  timeZone: string;
  consents: { email: boolean; sms: boolean; shareFirstName: boolean; shareTopics: boolean };
}

export interface ContactDirectoryTestServer {
  readonly address: string;
  readonly people: Map<string, TestPerson>;
  /** Every call, as (method, subject id or phone, purpose), to assert what was read. */
  readonly calls: { method: string; key: string; purpose: string }[];
  add(person: TestPerson): TestPerson;
  /** Makes the next `times` GetContact calls fail with UNAVAILABLE. */
  failNext(times: number): void;
  close(): Promise<void>;
}

/** A real gRPC ContactDirectory server on port 0 holding test people, as intake would serve them. */
export async function startContactDirectoryTestServer(): Promise<ContactDirectoryTestServer> {
  const people = new Map<string, TestPerson>();
  const calls: ContactDirectoryTestServer['calls'] = [];
  let failures = 0;
  const server = new Server();
  const error = (code: status, details: string): Partial<ServiceError> => ({ code, details, message: details, name: 'ServiceError' });
  const implementation: intake.ContactDirectoryServer = {
    getContact(call, callback) {
      calls.push({ method: 'GetContact', key: call.request.subjectId, purpose: call.request.purpose });
      if (failures > 0) {
        failures -= 1;
        callback(error(status.UNAVAILABLE, 'directory down for a test'), null);
        return;
      }
      const person = people.get(call.request.subjectId);
      if (!person) {
        callback(error(status.NOT_FOUND, 'unknown subject'), null);
        return;
      }
      callback(null, {
        subjectId: person.subjectId,
        kind: person.kind === 'peer' ? events.SubjectKind.SUBJECT_KIND_PEER : events.SubjectKind.SUBJECT_KIND_NEWCOMER,
        firstName: person.firstName,
        email: person.email,
        phoneE164: person.phoneE164,
        preferredChannel: events.Channel.CHANNEL_EMAIL,
        locale: person.locale,
        timeZone: person.timeZone,
        consents: { ...person.consents, noticeVersion: 'test-1', consentedAt: new Date('2026-01-01T00:00:00Z') },
      });
    },
    setSmsConsentByPhone(call, callback) {
      calls.push({ method: 'SetSmsConsentByPhone', key: call.request.phoneE164, purpose: call.request.source });
      const matched: string[] = [];
      for (const person of people.values()) {
        if (person.phoneE164 === call.request.phoneE164) {
          person.consents = { ...person.consents, sms: call.request.consented };
          matched.push(person.subjectId);
        }
      }
      callback(null, { matchedSubjects: matched });
    },
  };
  server.addService(intake.ContactDirectoryService, implementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (bindError, bound) => (bindError ? reject(bindError) : resolve(bound)));
  });
  return {
    address: `127.0.0.1:${port}`,
    people,
    calls,
    add(person) {
      people.set(person.subjectId, person);
      return person;
    },
    failNext(times) {
      failures = times;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
      }),
  };
}
