import { describe, expect, it } from 'vitest';
import { Metadata, status } from '@grpc/grpc-js';
import { events } from '@kindred/contracts';
import { AppError, createLogger } from '@kindred/platform';
import { authenticate, authorize, DECIDERS, tokenMap, tokenMapSchema } from '../../src/grpc/grpc-auth.js';
import { toServiceError } from '../../src/grpc/grpc-errors.js';
import { actorOf, declineReason, nextPageToken, paging, reasonCode } from '../../src/grpc/request.parsing.js';

const log = createLogger({ service: 'test', level: 'silent' });
const tokens = tokenMap(tokenMapSchema.parse({ 'a-coordinator-token-000': { actor: 'co_1', role: 'coordinator' }, 'a-viewer-token-00000000': { actor: 'vw_1', role: 'viewer' } }));

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'none';
}

function metadata(value?: string): Metadata {
  const m = new Metadata();
  if (value !== undefined) m.set('authorization', value);
  return m;
}

describe('gRPC authentication and authorization', () => {
  it('accepts a known bearer token and refuses anything else', () => {
    expect(authenticate(metadata('Bearer a-coordinator-token-000'), tokens)).toEqual({ actor: 'co_1', role: 'coordinator' });
    expect(codeOf(() => authenticate(metadata(), tokens))).toBe('AUTH.UNAUTHENTICATED');
    expect(codeOf(() => authenticate(metadata('a-coordinator-token-000'), tokens))).toBe('AUTH.UNAUTHENTICATED');
    expect(codeOf(() => authenticate(metadata('Bearer nope'), tokens))).toBe('AUTH.UNAUTHENTICATED');
  });

  it('lets only coordinators and admins decide', () => {
    expect(codeOf(() => authorize({ actor: 'vw_1', role: 'viewer' }, DECIDERS))).toBe('AUTH.PERMISSION_DENIED');
    expect(codeOf(() => authorize({ actor: 'ad_1', role: 'admin' }, DECIDERS))).toBe('none');
  });

  it('lets a delegating client (the console) act as the signed-in user it names, never above its own role', () => {
    const delegating = tokenMap(tokenMapSchema.parse({ 'the-console-token-0000': { actor: 'console', role: 'coordinator', delegates: true } }));
    const call = (headers: Record<string, string>) => {
      const m = metadata('Bearer the-console-token-0000');
      for (const [name, value] of Object.entries(headers)) m.set(name, value);
      return m;
    };
    expect(authenticate(call({ 'x-kindred-actor': 'u_cora' }), delegating)).toEqual({ actor: 'u_cora', role: 'coordinator' });
    expect(authenticate(call({ 'x-kindred-actor': 'u_vic', 'x-kindred-role': 'viewer' }), delegating)).toEqual({ actor: 'u_vic', role: 'viewer' });
    expect(codeOf(() => authenticate(call({}), delegating))).toBe('AUTH.UNAUTHENTICATED');
    expect(codeOf(() => authenticate(call({ 'x-kindred-actor': 'has spaces' }), delegating))).toBe('AUTH.UNAUTHENTICATED');
    expect(codeOf(() => authenticate(call({ 'x-kindred-actor': 'u_cora', 'x-kindred-role': 'admin' }), delegating))).toBe('AUTH.PERMISSION_DENIED');
    expect(codeOf(() => authenticate(call({ 'x-kindred-actor': 'u_cora', 'x-kindred-role': 'root' }), delegating))).toBe('AUTH.UNAUTHENTICATED');
    // A token that does not delegate ignores the header: nobody else can speak for another user.
    const plain = metadata('Bearer a-coordinator-token-000');
    plain.set('x-kindred-actor', 'u_cora');
    expect(authenticate(plain, tokens)).toEqual({ actor: 'co_1', role: 'coordinator' });
  });

  it('refuses short tokens and unknown roles in the configuration', () => {
    expect(tokenMapSchema.safeParse({ short: { actor: 'x', role: 'coordinator' } }).success).toBe(false);
    expect(tokenMapSchema.safeParse({ 'long-enough-token-123': { actor: 'x', role: 'root' } }).success).toBe(false);
  });
});

describe('request parsing', () => {
  it('records decisions only in the caller’s own name', () => {
    expect(actorOf('', { actor: 'co_1', role: 'coordinator' })).toEqual({ id: 'co_1' });
    expect(codeOf(() => actorOf('co_2', { actor: 'co_1', role: 'coordinator' }))).toBe('REQUEST.INVALID_ARGUMENT');
  });

  it('accepts only lower_snake reason codes and known decline reasons', () => {
    expect(reasonCode('no_rapport', 'reason', true)).toBe('no_rapport');
    expect(codeOf(() => reasonCode('He said …', 'reason', true))).toBe('REQUEST.INVALID_ARGUMENT');
    expect(codeOf(() => reasonCode('', 'reason', true))).toBe('REQUEST.INVALID_ARGUMENT');
    expect(declineReason(events.DeclineReason.DECLINE_REASON_SAFETY_CONCERN)).toBe('safety_concern');
    expect(codeOf(() => declineReason(events.DeclineReason.DECLINE_REASON_UNSPECIFIED))).toBe('REQUEST.INVALID_ARGUMENT');
  });

  it('pages with opaque tokens tied to their query', () => {
    const first = paging(2, '', 'q1');
    expect(first).toEqual({ skip: 0, limit: 2 });
    const token = nextPageToken(first, 2, 5, 'q1');
    expect(paging(2, token, 'q1')).toEqual({ skip: 2, limit: 2 });
    expect(codeOf(() => paging(2, token, 'q2'))).toBe('REQUEST.INVALID_ARGUMENT');
    expect(nextPageToken({ skip: 4, limit: 2 }, 1, 5, 'q1')).toBe('');
    expect(codeOf(() => paging(500, '', 'q1'))).toBe('REQUEST.INVALID_ARGUMENT');
    expect(paging(0, '', 'q1').limit).toBe(50);
  });
});

describe('errors → gRPC status', () => {
  it('maps codes to statuses and hides unexpected errors', () => {
    expect(toServiceError(new AppError('MATCH.INVALID_TRANSITION', 'MATCH.INVALID_TRANSITION: x'), log).code).toBe(status.FAILED_PRECONDITION);
    expect(toServiceError(new AppError('MATCH.NOT_FOUND', 'x'), log).code).toBe(status.NOT_FOUND);
    expect(toServiceError(new AppError('AUTH.PERMISSION_DENIED', 'x'), log).code).toBe(status.PERMISSION_DENIED);
    const invalid = toServiceError(new AppError('REQUEST.INVALID_ARGUMENT', 'match_id is required', { details: { field: 'match_id' } }), log);
    expect(invalid.code).toBe(status.INVALID_ARGUMENT);
    expect(invalid.metadata?.get('kindred-error-field')).toEqual(['match_id']);
    expect(toServiceError(new AppError('PLATFORM.MONGO_UNAVAILABLE', 'down', { retriable: true }), log).code).toBe(status.UNAVAILABLE);
    const unexpected = toServiceError(new Error('secret internals'), log);
    expect(unexpected).toMatchObject({ code: status.INTERNAL, details: 'internal error' });
  });
});
