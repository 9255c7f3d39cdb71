import type { MessageKey } from './i18n.js';
import type { PageContext } from './page-context.js';

/** Redirects after an action carry a notice code, never text, so that a link cannot inject a message. */
const notices: Readonly<Record<string, MessageKey>> = {
  approved: 'noticeApproved',
  declined_next: 'noticeDeclinedNext',
  declined_none: 'noticeDeclinedNone',
  reassigned: 'noticeReassigned',
  marked_active: 'noticeMarkedActive',
  closed: 'noticeClosed',
  paused: 'noticePaused',
  resumed: 'noticeResumed',
  account_created: 'noticeAccountCreated',
  account_disabled: 'noticeAccountDisabled',
  account_enabled: 'noticeAccountEnabled',
};

export function noticeFor(ctx: PageContext, code: string): string | undefined {
  const key = notices[code];
  return key ? ctx.t(key) : undefined;
}
