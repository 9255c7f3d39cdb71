import { createHash } from 'node:crypto';
import { events } from '@kindred/contracts';
import { AppError } from '@kindred/platform';
import type { MatchState } from '../domain/match-lifecycle.js';
import { closeReasonCode, declineReasonCode, matchStateCode, topicCode } from '../events/proto-codes.js';
import type { Principal } from './grpc-auth.js';

// Request fields → use-case arguments. Every refusal is INVALID_ARGUMENT and names the field.

export function invalidArgument(field: string, problem: string): AppError {
  return new AppError('REQUEST.INVALID_ARGUMENT', `${field} ${problem}`, { details: { field } });
}

const ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const CODE = /^[a-z][a-z0-9_]{0,63}$/;

export function requiredId(value: string, field: string): string {
  if (value === '') throw invalidArgument(field, 'is required');
  if (!ID.test(value)) throw invalidArgument(field, 'is not a valid id');
  return value;
}

/** lower_snake reason codes only: free text could carry personal data into the audit trail and events. */
export function reasonCode(value: string, field: string, required: boolean): string {
  if (value === '') {
    if (required) throw invalidArgument(field, 'is required');
    return '';
  }
  if (!CODE.test(value)) throw invalidArgument(field, 'must be a lower_snake code (a-z, 0-9, _), not free text');
  return value;
}

/** The request's actor, if given, must be the caller: nobody records decisions in someone else's name. */
export function actorOf(requested: string, principal: Principal): { id: string } {
  if (requested !== '' && requested !== principal.actor) throw invalidArgument('actor', "must be empty or the caller's own id");
  return { id: principal.actor };
}

export function declineReason(value: events.DeclineReason): string {
  const code = value === events.DeclineReason.DECLINE_REASON_UNSPECIFIED ? undefined : declineReasonCode(value);
  if (code === undefined) throw invalidArgument('reason', 'must be a DeclineReason other than UNSPECIFIED');
  return code;
}

export function closeReason(value: events.CloseReason): string {
  const code = value === events.CloseReason.CLOSE_REASON_UNSPECIFIED ? undefined : closeReasonCode(value);
  if (code === undefined) throw invalidArgument('reason', 'must be a CloseReason other than UNSPECIFIED');
  return code;
}

export function optionalTopic(value: events.Topic, field: string): string | undefined {
  if (value === events.Topic.TOPIC_UNSPECIFIED) return undefined;
  const code = topicCode(value);
  if (code === undefined) throw invalidArgument(field, 'is not a known topic');
  return code;
}

export function optionalLanguage(value: string, field: string): string | undefined {
  if (value === '') return undefined;
  if (!/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/.test(value)) throw invalidArgument(field, 'must be a BCP-47 tag such as "es" or "es-MX"');
  return value;
}

export function states(values: readonly events.MatchState[]): MatchState[] {
  return values.map((v, i) => {
    const code = matchStateCode(v);
    if (code === undefined) throw invalidArgument(`states[${i}]`, 'is not a match state');
    return code;
  });
}

const DEFAULT_PAGE = 50;
const MAX_PAGE = 200;

export interface Paging {
  readonly skip: number;
  readonly limit: number;
}

/** Page tokens are opaque to clients: base64url of the next offset, tied to the query they came from. */
const keyOf = (query: string): string => createHash('sha256').update(query).digest('base64url').slice(0, 12);

export function paging(pageSize: number, pageToken: string, query: string): Paging {
  const queryKey = keyOf(query);
  if (pageSize > MAX_PAGE) throw invalidArgument('page_size', `must be at most ${MAX_PAGE}`);
  const limit = pageSize === 0 ? DEFAULT_PAGE : pageSize;
  if (pageToken === '') return { skip: 0, limit };
  const decoded = /^(\d{1,9}):(.*)$/s.exec(Buffer.from(pageToken, 'base64url').toString('utf8'));
  if (decoded === null || decoded[2] !== queryKey) throw invalidArgument('page_token', 'is not a token from this query');
  return { skip: Number(decoded[1]), limit };
}

export function nextPageToken(p: Paging, returned: number, total: number | undefined, query: string): string {
  const queryKey = keyOf(query);
  const next = p.skip + returned;
  const more = total === undefined ? returned === p.limit : next < total;
  return more ? Buffer.from(`${next}:${queryKey}`, 'utf8').toString('base64url') : '';
}
