import { timingSafeEqual } from 'node:crypto';
import { Server, ServerCredentials, status, type Metadata, type ServiceError, type sendUnaryData } from '@grpc/grpc-js';
import { activeTraceContext, errorCode, errorMessage, isAppError, traceGrpcHandlers, type Logger } from '@kindred/platform';
import { events, health, intake } from '@kindred/contracts';
import type { DirectoryAuditRepository } from '../data-access/directory-audit.repository.js';
import type { ContactDirectory } from '../use-cases/contact-directory.js';
import type { EraseSubject } from '../use-cases/erase-subject.js';

export interface IntakeGrpcDeps {
  readonly directory: ContactDirectory;
  readonly eraseSubject: EraseSubject;
  readonly audit: DirectoryAuditRepository;
  /** The notifier's credential for ContactDirectory. */
  readonly directoryToken: string;
  /** The operators' credential for PrivacyAdmin. */
  readonly adminToken: string;
  readonly log: Logger;
}

export interface RunningGrpcServer {
  readonly port: number;
  readonly address: string;
  stop(): Promise<void>;
}

type Role = 'directory' | 'admin';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const grpcError = (code: status, details: string): Partial<ServiceError> => ({ code, details, message: details });

/**
 * ContactDirectory (notifier) and PrivacyAdmin (operators), each behind its own bearer credential, plus the
 * standard health service. Handlers parse, call one use case, and map AppError codes to gRPC status codes.
 */
export async function startIntakeGrpcServer(deps: IntakeGrpcDeps, host: string, port: number): Promise<RunningGrpcServer> {
  const roleOf = (metadata: Metadata): Role | undefined => {
    const value = metadata.get('authorization')[0];
    const token = typeof value === 'string' ? /^Bearer (.+)$/.exec(value)?.[1] : undefined;
    if (token === undefined) return undefined;
    if (sameSecret(token, deps.directoryToken)) return 'directory';
    if (sameSecret(token, deps.adminToken)) return 'admin';
    return undefined;
  };

  /** Checks the credential; answers the call itself and returns false when the caller may not proceed. */
  const authorize = async <T>(metadata: Metadata, needed: Role, action: 'get_contact' | 'set_sms_consent' | 'erase_subject', callback: sendUnaryData<T>): Promise<boolean> => {
    const role = roleOf(metadata);
    if (role === needed) return true;
    await deps.audit.record({ action, caller: role ?? 'anonymous', subjectIds: [], outcome: 'unauthenticated' }).catch(() => undefined);
    callback(role === undefined ? grpcError(status.UNAUTHENTICATED, 'a valid service credential is required') : grpcError(status.PERMISSION_DENIED, 'this credential may not call this method'), null);
    return false;
  };

  const fail = <T>(callback: sendUnaryData<T>, error: unknown) => {
    if (isAppError(error)) {
      switch (error.code) {
        case 'INTAKE.SUBJECT_NOT_FOUND':
          return callback(grpcError(status.NOT_FOUND, error.message), null);
        case 'INTAKE.INVALID_ARGUMENT':
          return callback(grpcError(status.INVALID_ARGUMENT, error.message), null);
        default:
          if (error.retriable) return callback(grpcError(status.UNAVAILABLE, error.message), null);
      }
    }
    deps.log.error({ code: errorCode(error), reason: errorMessage(error) }, 'gRPC call failed');
    return callback(grpcError(status.INTERNAL, 'internal error'), null);
  };

  const channelOf = (channel: 'email' | 'sms') => (channel === 'email' ? events.Channel.CHANNEL_EMAIL : events.Channel.CHANNEL_SMS);
  const kindOf = (kind: 'newcomer' | 'peer') => (kind === 'newcomer' ? events.SubjectKind.SUBJECT_KIND_NEWCOMER : events.SubjectKind.SUBJECT_KIND_PEER);

  const contactDirectory: intake.ContactDirectoryServer = {
    getContact: (call, callback) => {
      void (async () => {
        if (!(await authorize(call.metadata, 'directory', 'get_contact', callback))) return;
        try {
          const c = await deps.directory.getContact('notifier', call.request);
          callback(null, {
            subjectId: c.subjectId,
            kind: kindOf(c.kind),
            firstName: c.firstName,
            email: c.email ?? '',
            phoneE164: c.phoneE164 ?? '',
            preferredChannel: channelOf(c.preferredChannel),
            locale: c.locale,
            timeZone: c.timeZone,
            consents: {
              email: c.consents.email,
              sms: c.consents.sms,
              shareFirstName: c.consents.shareFirstName,
              shareTopics: c.consents.shareTopics,
              noticeVersion: c.consents.noticeVersion,
              consentedAt: c.consents.consentedAt,
            },
          });
        } catch (error) {
          fail(callback, error);
        }
      })();
    },
    setSmsConsentByPhone: (call, callback) => {
      void (async () => {
        if (!(await authorize(call.metadata, 'directory', 'set_sms_consent', callback))) return;
        try {
          const matched = await deps.directory.setSmsConsentByPhone('notifier', call.request);
          callback(null, { matchedSubjects: matched });
        } catch (error) {
          fail(callback, error);
        }
      })();
    },
  };

  const privacyAdmin: intake.PrivacyAdminServer = {
    eraseSubject: (call, callback) => {
      void (async () => {
        if (!(await authorize(call.metadata, 'admin', 'erase_subject', callback))) return;
        const { subjectId, reason, actor } = call.request;
        if (subjectId === '' || !/^[a-z][a-z0-9_]{0,63}$/.test(reason) || actor === '' || actor.length > 128) {
          callback(grpcError(status.INVALID_ARGUMENT, 'subject_id and actor are required; reason is a lower_snake code'), null);
          return;
        }
        try {
          const result = await deps.eraseSubject(subjectId, { trace: activeTraceContext() });
          await deps.audit.record({ action: 'erase_subject', caller: `admin:${actor}`, subjectIds: [subjectId], outcome: 'ok', purpose: reason });
          callback(null, { subjectId, kind: kindOf(result.kind), erasedAt: result.erasedAt, alreadyErased: result.alreadyErased });
        } catch (error) {
          fail(callback, error);
        }
      })();
    },
  };

  let serving = true;
  const healthServer: health.HealthServer = {
    check: (_call, callback) => {
      callback(null, { status: serving ? health.HealthCheckResponse_ServingStatus.SERVING : health.HealthCheckResponse_ServingStatus.NOT_SERVING });
    },
    watch: (call) => {
      call.write({ status: serving ? health.HealthCheckResponse_ServingStatus.SERVING : health.HealthCheckResponse_ServingStatus.NOT_SERVING });
    },
  };

  const server = new Server();
  server.addService(intake.ContactDirectoryService, traceGrpcHandlers(intake.ContactDirectoryService, contactDirectory));
  server.addService(intake.PrivacyAdminService, traceGrpcHandlers(intake.PrivacyAdminService, privacyAdmin));
  server.addService(health.HealthService, healthServer);
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error, actual) => (error ? reject(error) : resolve(actual)));
  });
  return {
    port: bound,
    address: `127.0.0.1:${bound}`,
    stop: () =>
      new Promise<void>((resolve) => {
        serving = false;
        const timer = setTimeout(() => server.forceShutdown(), 5_000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
