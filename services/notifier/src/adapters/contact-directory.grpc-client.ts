import { credentials, Metadata, status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { AppError, grpcClientTracing } from '@kindred/platform';
import { intake } from '@kindred/contracts';
import { toLocale, type Contact } from '../domain/delivery.types.js';
import type { ContactLookup } from '../ports/contact-lookup.port.js';

const TRANSIENT = new Set([grpcStatus.UNAVAILABLE, grpcStatus.DEADLINE_EXCEEDED, grpcStatus.RESOURCE_EXHAUSTED, grpcStatus.ABORTED, grpcStatus.INTERNAL]);

function translate(error: ServiceError, operation: string): AppError {
  return new AppError(`NOTIFIER.CONTACT_DIRECTORY_${grpcStatus[error.code]}`, `ContactDirectory.${operation} failed with ${grpcStatus[error.code]}`, {
    retriable: TRANSIENT.has(error.code),
    cause: error,
  });
}

export interface GrpcContactLookup extends ContactLookup {
  close(): void;
}

/** ContactDirectory over gRPC (intake). Each call has a deadline so a slow directory cannot hold a worker. */
export function grpcContactLookup(options: { address: string; token: string; deadlineMs: number }): GrpcContactLookup {
  // grpc-js backs off up to 120 s between reconnects; after intake restarts, introductions would wait that long.
  const client = new intake.ContactDirectoryClient(options.address, credentials.createInsecure(), {
    interceptors: [grpcClientTracing],
    'grpc.max_reconnect_backoff_ms': 5_000,
  });
  const callOptions = () => ({ deadline: new Date(Date.now() + options.deadlineMs) });
  const metadata = () => {
    const meta = new Metadata();
    if (options.token !== '') meta.set('authorization', `Bearer ${options.token}`);
    return meta;
  };
  return {
    getContact(subjectId, purpose, referenceId) {
      return new Promise<Contact | null>((resolve, reject) => {
        client.getContact({ subjectId, purpose, referenceId }, metadata(), callOptions(), (error, response) => {
          if (error) {
            if (error.code === grpcStatus.NOT_FOUND) resolve(null);
            else reject(translate(error, 'GetContact'));
            return;
          }
          const consents = response.consents;
          resolve({
            subjectId: response.subjectId || subjectId,
            firstName: response.firstName,
            email: response.email,
            phoneE164: response.phoneE164,
            locale: toLocale(response.locale),
            timeZone: response.timeZone,
            consents: {
              email: consents?.email ?? false,
              sms: consents?.sms ?? false,
              shareFirstName: consents?.shareFirstName ?? false,
              shareTopics: consents?.shareTopics ?? false,
            },
          });
        });
      });
    },
    setSmsConsentByPhone(phoneE164, consented, source) {
      return new Promise<string[]>((resolve, reject) => {
        client.setSmsConsentByPhone({ phoneE164, consented, source }, metadata(), callOptions(), (error, response) => {
          if (error) reject(translate(error, 'SetSmsConsentByPhone'));
          else resolve(response.matchedSubjects);
        });
      });
    },
    close: () => client.close(),
  };
}
