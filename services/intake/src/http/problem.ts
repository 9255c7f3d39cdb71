import type { Response } from 'express';
import type { FieldError } from '../domain/validation.js';

/** RFC 9457 problem details; `errors` lists one entry per invalid field. */
export interface Problem {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail?: string;
  readonly code: string;
  readonly errors?: readonly FieldError[];
}

export const problems = {
  validation: (errors: readonly FieldError[]): Problem => ({
    status: 422,
    type: '/problems/validation-failed',
    title: 'Some fields are not valid',
    detail: `${errors.length} field${errors.length === 1 ? '' : 's'} need attention`,
    code: 'INTAKE.VALIDATION_FAILED',
    errors,
  }),
  badBody: (errors: readonly FieldError[]): Problem => ({
    status: 400,
    type: '/problems/malformed-body',
    title: 'The request body cannot be read',
    code: 'INTAKE.MALFORMED_BODY',
    errors,
  }),
  tooLarge: (limit: number): Problem => ({
    status: 413,
    type: '/problems/body-too-large',
    title: 'The request body is too large',
    detail: `At most ${limit} bytes are accepted`,
    code: 'INTAKE.BODY_TOO_LARGE',
    errors: [{ field: '', code: 'too_large', message: `The body must be at most ${limit} bytes` }],
  }),
  unsupportedMediaType: (): Problem => ({
    status: 415,
    type: '/problems/unsupported-media-type',
    title: 'Send application/json',
    code: 'INTAKE.UNSUPPORTED_MEDIA_TYPE',
    errors: [{ field: 'Content-Type', code: 'unsupported', message: 'Use Content-Type: application/json' }],
  }),
  idempotencyKeyReused: (): Problem => ({
    status: 422,
    type: '/problems/idempotency-key-reused',
    title: 'This Idempotency-Key was used with a different request',
    code: 'INTAKE.IDEMPOTENCY_KEY_REUSED',
    errors: [{ field: 'Idempotency-Key', code: 'reused_with_different_body', message: 'Use a new Idempotency-Key for a different request' }],
  }),
  invalidIdempotencyKey: (): Problem => ({
    status: 400,
    type: '/problems/invalid-idempotency-key',
    title: 'The Idempotency-Key header is malformed',
    code: 'INTAKE.INVALID_IDEMPOTENCY_KEY',
    errors: [{ field: 'Idempotency-Key', code: 'invalid_format', message: 'Use 1 to 128 letters, digits, ".", "_", ":" or "-"' }],
  }),
  unauthorized: (): Problem => ({ status: 401, type: '/problems/unauthorized', title: 'A valid edit token is required', code: 'INTAKE.UNAUTHORIZED' }),
  notFound: (what: string): Problem => ({ status: 404, type: '/problems/not-found', title: `No such ${what}`, code: 'INTAKE.NOT_FOUND' }),
  rateLimited: (): Problem => ({ status: 429, type: '/problems/rate-limited', title: 'Too many requests; try again in a minute', code: 'INTAKE.RATE_LIMITED' }),
  unavailable: (): Problem => ({ status: 503, type: '/problems/unavailable', title: 'Temporarily unavailable; try again', code: 'INTAKE.UNAVAILABLE' }),
  internal: (): Problem => ({ status: 500, type: '/problems/internal', title: 'Something went wrong on our side', code: 'INTAKE.INTERNAL' }),
};

export function sendProblem(res: Response, problem: Problem): void {
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}
