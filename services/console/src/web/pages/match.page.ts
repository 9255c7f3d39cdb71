import { events, type matching } from '@kindred/contracts';
import { AppError, extractTraceContext, inSpan, linkTo, type Logger } from '@kindred/platform';
import type { MatchingGateway } from '../../matching/matching.client.js';
import { recoveryGapYears, timeZoneDistanceHours, weeklyOverlapMinutes } from '../../domain/decision-facts.js';
import { html, type SafeHtml } from '../html.js';
import { layout } from '../layout.view.js';
import { reassignReasons } from '../i18n.js';
import { field, queryParam, type PageContext } from '../page-context.js';
import { sendPage, type GuardedRouter } from '../guarded-router.js';
import { noticeFor } from '../notices.js';
import { barChart, dateTimeText, scoreText, sinceText } from '../format.js';
import { deliveriesTable } from './deliveries.view.js';
import { actorNames } from '../actor-names.js';
import type { AccountRepository } from '../../auth/account.repository.js';

export const declineReasons: readonly events.DeclineReason[] = [
  events.DeclineReason.DECLINE_REASON_EXPERIENCE_MISMATCH,
  events.DeclineReason.DECLINE_REASON_NEEDS_CLINICAL_CARE,
  events.DeclineReason.DECLINE_REASON_PEER_UNAVAILABLE,
  events.DeclineReason.DECLINE_REASON_SAFETY_CONCERN,
  events.DeclineReason.DECLINE_REASON_CONFLICT_OF_INTEREST,
  events.DeclineReason.DECLINE_REASON_PREFERENCE_MISMATCH,
  events.DeclineReason.DECLINE_REASON_LOGISTICS,
  events.DeclineReason.DECLINE_REASON_OTHER,
];

/** Reasons a coordinator may give; `erased` is the privacy process's own. */
export const closeReasons: readonly events.CloseReason[] = [
  events.CloseReason.CLOSE_REASON_COMPLETED,
  events.CloseReason.CLOSE_REASON_NEWCOMER_WITHDREW,
  events.CloseReason.CLOSE_REASON_PEER_WITHDREW,
  events.CloseReason.CLOSE_REASON_NO_CONTACT,
  events.CloseReason.CLOSE_REASON_SAFETY_CONCERN,
  events.CloseReason.CLOSE_REASON_OTHER,
];

const closable: ReadonlySet<events.MatchState> = new Set([
  events.MatchState.MATCH_STATE_INTRODUCED,
  events.MatchState.MATCH_STATE_ACTIVE,
  events.MatchState.MATCH_STATE_NEEDS_ATTENTION,
]);

const idPattern = /^[A-Za-z0-9_.:-]{1,100}$/;

export function parseVersion(value: string): number | undefined {
  return /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

/** The language the engine's generated sentences are written in (the contract does not translate them). */
function engineSentence(ctx: PageContext, sentence: string): SafeHtml {
  return ctx.locale === 'en' ? html`${sentence}` : html`<span lang="en">${sentence}</span>`;
}

function genderWish(ctx: PageContext, pref: events.GenderPreference | undefined, newcomerGender: events.Gender): string {
  if (!pref || pref.kind === events.GenderPreference_Kind.KIND_NONE || pref.kind === events.GenderPreference_Kind.KIND_UNSPECIFIED) {
    return ctx.t('genderWishNone');
  }
  const genders =
    pref.kind === events.GenderPreference_Kind.KIND_SAME
      ? ctx.t('genderWishSame', { gender: ctx.l.gender(newcomerGender) })
      : pref.genders.map((g) => ctx.l.gender(g)).join(', ');
  return ctx.t(pref.mustHave ? 'genderWishMust' : 'genderWishNice', { genders });
}

function hasGenderWish(pref: events.GenderPreference | undefined): boolean {
  return pref !== undefined && (pref.kind === events.GenderPreference_Kind.KIND_SAME || pref.kind === events.GenderPreference_Kind.KIND_SPECIFIC);
}

function decisionForms(ctx: PageContext, m: matching.MatchDetail, s: matching.MatchSummary): SafeHtml {
  const id = encodeURIComponent(s.matchId);
  const hidden = html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}"><input type="hidden" name="version" value="${s.version}">`;
  return html`<section aria-labelledby="decision-heading" class="decision">
  <h2 id="decision-heading">${ctx.t('decisionTitle')}</h2>
  <details class="confirm">
    <summary>${ctx.t('approve')}</summary>
    <form method="post" action="/matches/${id}/approve">${hidden}
      <p>${ctx.t('approveExplain', { newcomer: s.newcomerDisplayLabel, peer: s.peerDisplayLabel })}</p>
      <button type="submit">${ctx.t('approveConfirm')}</button>
    </form>
  </details>
  <details class="confirm">
    <summary>${ctx.t('decline')}</summary>
    <form method="post" action="/matches/${id}/decline">${hidden}
      <div class="field"><label for="decline-reason">${ctx.t('declineReason')}</label>
        <select id="decline-reason" name="reason" required><option value="">${ctx.t('chooseOne')}</option>${declineReasons.map(
          (r) => html`<option value="${events.declineReasonToJSON(r)}">${ctx.l.declineReason(r)}</option>`,
        )}</select></div>
      <p>${ctx.t('declineExplain')}</p>
      <button type="submit" class="button-danger">${ctx.t('declineConfirm')}</button>
    </form>
  </details>
  <details class="confirm">
    <summary>${ctx.t('reassign')}</summary>
    ${m.otherCandidates.length === 0
      ? html`<p>${ctx.t('reassignNone')}</p>`
      : html`<form method="post" action="/matches/${id}/reassign">${hidden}
      <div class="field"><label for="reassign-peer">${ctx.t('reassignPeer')}</label>
        <select id="reassign-peer" name="peer" required><option value="">${ctx.t('chooseOne')}</option>${m.otherCandidates.map(
          (c) => html`<option value="${c.peerId}">${ctx.t('candidateLine', { label: c.displayLabel, score: scoreText(c.score), rank: c.rank, free: c.freeCapacity })}</option>`,
        )}</select></div>
      <div class="field"><label for="reassign-reason">${ctx.t('reassignReason')}</label>
        <select id="reassign-reason" name="reason" required><option value="">${ctx.t('chooseOne')}</option>${reassignReasons.map(
          (r) => html`<option value="${r}">${ctx.l.code(r)}</option>`,
        )}</select></div>
      <button type="submit">${ctx.t('reassignConfirm')}</button>
    </form>`}
  </details>
</section>`;
}

/** After the introduction: confirm the first meeting (introduced → active) and close a running match. */
function followUpForms(ctx: PageContext, s: matching.MatchSummary): SafeHtml {
  const id = encodeURIComponent(s.matchId);
  const hidden = html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}"><input type="hidden" name="version" value="${s.version}">`;
  return html`<section aria-labelledby="follow-up-heading" class="decision">
  <h2 id="follow-up-heading">${ctx.t('followUpActionsTitle')}</h2>
  <p class="notice">${ctx.t('notProposed', { state: ctx.l.state(s.state) })}</p>
  ${s.state === events.MatchState.MATCH_STATE_INTRODUCED
    ? html`<details class="confirm">
    <summary>${ctx.t('markActive')}</summary>
    <form method="post" action="/matches/${id}/active">${hidden}
      <p>${ctx.t('markActiveExplain', { newcomer: s.newcomerDisplayLabel, peer: s.peerDisplayLabel })}</p>
      <button type="submit">${ctx.t('markActiveConfirm')}</button>
    </form>
  </details>`
    : ''}
  <details class="confirm">
    <summary>${ctx.t('closeMatch')}</summary>
    <form method="post" action="/matches/${id}/close">${hidden}
      <div class="field"><label for="close-reason">${ctx.t('closeReason')}</label>
        <select id="close-reason" name="reason" required><option value="">${ctx.t('chooseOne')}</option>${closeReasons.map(
          (r) => html`<option value="${events.closeReasonToJSON(r)}">${ctx.l.closeReason(r)}</option>`,
        )}</select></div>
      <p>${ctx.t('closeExplain')}</p>
      <button type="submit" class="button-danger">${ctx.t('closeConfirm')}</button>
    </form>
  </details>
</section>`;
}

export function matchDetailView(ctx: PageContext, m: matching.MatchDetail, now: Date, actorName: (actor: string) => string): SafeHtml {
  const s = m.summary;
  const n = m.newcomer;
  const p = m.peer;
  if (!s || !n || !p) throw new AppError('CONSOLE.NOT_FOUND', 'incomplete match');
  const overlapHours = Math.round(weeklyOverlapMinutes(n.availability, n.timeZone, p.availability, p.timeZone, now) / 60);
  const tzHours = timeZoneDistanceHours(n.timeZone, p.timeZone, now);
  const gap = recoveryGapYears(p.recoveryStartedOn, n.recoveryStartedOn, now);
  const sharedTopics = new Set(s.sharedTopics);
  const wish = hasGenderWish(n.genderPreference);
  const factors = [...m.factors].sort((a, b) => b.contribution - a.contribution);

  return html`
<section aria-labelledby="people-heading">
  <h2 id="people-heading" class="visually-hidden">${ctx.t('newcomer')} / ${ctx.t('peer')}</h2>
  <div class="table-wrap"><table class="side-by-side">
    <thead><tr><td></td><th scope="col">${ctx.t('newcomer')}: ${n.displayLabel}</th><th scope="col">${ctx.t('peer')}: ${p.displayLabel}</th></tr></thead>
    <tbody>
      <tr><th scope="row">${ctx.t('topics')}</th>
        <td>${n.topics.map((t) => html`<span class="${sharedTopics.has(t) ? 'tag tag-shared' : 'tag'}">${ctx.l.topic(t)}</span> `)}</td>
        <td>${p.topics.map((t) => html`<span class="${sharedTopics.has(t) ? 'tag tag-shared' : 'tag'}">${ctx.l.topic(t)}</span> `)}</td></tr>
      <tr><th scope="row">${ctx.t('languages')}</th><td>${n.languages.join(', ')}</td><td>${p.languages.join(', ')}</td></tr>
      <tr><th scope="row">${ctx.t('meetingModes')}</th><td>${n.meetingModes.map((x) => ctx.l.mode(x)).join(', ')}</td><td>${p.meetingModes.map((x) => ctx.l.mode(x)).join(', ')}</td></tr>
      ${wish ? html`<tr><th scope="row">${ctx.t('genderWish')}</th><td>${genderWish(ctx, n.genderPreference, n.gender)}</td><td>${ctx.l.gender(p.gender)}</td></tr>` : ''}
      <tr><th scope="row">${ctx.t('riskLevel')}</th><td>${ctx.l.risk(n.riskLevel)}</td><td>—</td></tr>
      <tr><th scope="row">${ctx.t('waitingFor')}</th><td>${sinceText(ctx, s.waitingSince, now)}</td><td>—</td></tr>
      <tr><th scope="row">${ctx.t('peerLoad')}</th><td>—</td><td>${ctx.t('loadOf', { load: p.load, capacity: p.capacity })}</td></tr>
    </tbody>
  </table></div>
  <dl class="facts">
    <div><dt>${ctx.t('sharedTopics')}</dt><dd>${s.sharedTopics.map((t) => ctx.l.topic(t)).join(', ') || '—'}</dd></div>
    <div><dt>${ctx.t('sharedLanguages')}</dt><dd>${s.sharedLanguages.join(', ') || '—'}</dd></div>
    <div><dt>${ctx.t('availabilityOverlap')}</dt><dd>${ctx.t('overlapHours', { n: overlapHours })}; ${ctx.t('timeZoneDistance', { n: tzHours })}</dd></div>
    <div><dt>${ctx.t('recoveryGap')}</dt><dd>${gap === undefined ? ctx.t('recoveryGapUnknown') : ctx.t('recoveryGapYears', { n: gap })}</dd></div>
  </dl>
</section>

<section aria-labelledby="score-heading">
  <h2 id="score-heading">${ctx.t('scoreTitle')}</h2>
  <p>${ctx.t('scoreTotal', { score: scoreText(s.score), rank: s.rank })}</p>
  ${barChart(
    ctx.t('scoreChartLabel'),
    factors.map((f) => ({
      label: ctx.l.factor(f.key),
      value: f.contribution,
      text: ctx.t('factorContribution', { factor: ctx.l.factor(f.key), points: scoreText(f.contribution), weight: scoreText(f.weight) }),
    })),
  )}
  <ul class="sentences">${factors.filter((f) => f.sentence).map((f) => html`<li>${engineSentence(ctx, f.sentence)}</li>`)}</ul>
  <p class="meta">${ctx.t('engineVersion', { engine: m.engineVersion, weights: m.weightsVersion })}</p>
</section>

<section aria-labelledby="others-heading">
  <h2 id="others-heading">${ctx.t('otherCandidates')}</h2>
  ${m.otherCandidates.length === 0
    ? html`<p>${ctx.t('otherCandidatesNone')}</p>`
    : html`<ul>${m.otherCandidates.map((c) => html`<li>${ctx.t('candidateLine', { label: c.displayLabel, score: scoreText(c.score), rank: c.rank, free: c.freeCapacity })}</li>`)}</ul>`}
  <h3>${ctx.t('skippedTitle')}</h3>
  ${m.skippedCandidates.length === 0
    ? html`<p>${ctx.t('skippedNone')}</p>`
    : html`<ul class="skipped">${m.skippedCandidates.map(
        (c) => html`<li><strong>${c.displayLabel}</strong>: ${c.reasons.map((r, i) => html`${i > 0 ? '; ' : ''}${engineSentence(ctx, r.sentence || r.code)}`)}</li>`,
      )}</ul>`}
</section>

${s.state === events.MatchState.MATCH_STATE_PROPOSED
  ? decisionForms(ctx, m, s)
  : closable.has(s.state)
    ? followUpForms(ctx, s)
    : html`<p class="notice">${ctx.t('notProposed', { state: ctx.l.state(s.state) })}</p>`}

${m.deliveries.length > 0 ? html`<section aria-labelledby="deliveries-heading"><h2 id="deliveries-heading">${ctx.t('deliveries')}</h2>${deliveriesTable(ctx, m.deliveries)}</section>` : ''}

<section aria-labelledby="history-heading">
  <h2 id="history-heading">${ctx.t('historyTitle')}</h2>
  <ol class="history">${m.audit.map(
    (a) => html`<li>${dateTimeText(ctx, a.at)}: <code>${a.action}</code> (${actorName(a.actor)})${a.reason ? html` — ${ctx.l.reason(a.reason)}` : ''}</li>`,
  )}</ol>
</section>`;
}

/**
 * A decision belongs to the newcomer's journey, not to the coordinator's session: its span is a child of the
 * proposal's context that matching serves with the match (MatchSummary.journey_trace), linked to the
 * coordinator's own request span. MatchApproved and the introductions it causes then continue the journey's trace.
 * Without a journey trace (a match proposed before tracing) the span stays in the request's trace.
 */
async function inJourney<T>(deps: MatchPageDeps, actor: string, matchId: string, decision: string, fn: () => Promise<T>): Promise<T> {
  const journey = (await deps.matching.getMatch({ actor }, matchId)).summary?.journeyTrace;
  const parent = journey?.traceparent ? extractTraceContext(journey) : undefined;
  return inSpan(`console ${decision} match`, { ...(parent ? { parent, links: linkTo() } : {}), attributes: { 'kindred.match.id': matchId } }, async () => {
    const result = await fn();
    // Inside the span, so the line carries the journey's trace id (ids only: the actor is an account id).
    deps.log.info({ matchId, actor, decision }, 'coordinator decision recorded');
    return result;
  });
}

interface MatchPageDeps {
  readonly matching: MatchingGateway;
  readonly accounts: AccountRepository;
  readonly log: Logger;
}

export function registerMatchPages(router: GuardedRouter, deps: MatchPageDeps): void {
  const matchId = (value: string | string[] | undefined): string => {
    if (typeof value !== 'string' || !idPattern.test(value)) throw new AppError('CONSOLE.NOT_FOUND', 'unknown match id');
    return value;
  };
  const version = (value: string): number => {
    const parsed = parseVersion(value);
    if (parsed === undefined) throw new AppError('CONSOLE.INVALID_ARGUMENT', 'version must be a whole number');
    return parsed;
  };

  router.get('/matches/:id', ['coordinator'], async (req, res, ctx) => {
    const detail = await deps.matching.getMatch({ actor: ctx.account.id }, matchId(req.params['id']));
    const s = detail.summary;
    const title = s ? ctx.t('matchTitle', { newcomer: s.newcomerDisplayLabel, peer: s.peerDisplayLabel }) : ctx.t('notFoundTitle');
    const names = await actorNames(deps.accounts, detail.audit.map((a) => a.actor));
    sendPage(res, 200, layout(ctx, { title, notice: noticeFor(ctx, queryParam(req, 'notice')) }, matchDetailView(ctx, detail, new Date(), names)));
  });

  router.post('/matches/:id/approve', ['coordinator'], async (req, res, ctx) => {
    const id = matchId(req.params['id']);
    const expectedVersion = version(field(req, 'version'));
    await inJourney(deps, ctx.account.id, id, 'approve', () => deps.matching.approveMatch({ actor: ctx.account.id }, { matchId: id, expectedVersion }));
    res.redirect(303, `/matches/${encodeURIComponent(id)}?notice=approved`);
  });

  router.post('/matches/:id/decline', ['coordinator'], async (req, res, ctx) => {
    const id = matchId(req.params['id']);
    const reason = declineReasons.find((r) => events.declineReasonToJSON(r) === field(req, 'reason'));
    if (reason === undefined) throw new AppError('CONSOLE.INVALID_ARGUMENT', ctx.t('errReason'));
    const expectedVersion = version(field(req, 'version'));
    const result = await inJourney(deps, ctx.account.id, id, 'decline', () =>
      deps.matching.declineMatch({ actor: ctx.account.id }, { matchId: id, expectedVersion, reason }),
    );
    res.redirect(
      303,
      result.nextProposal ? `/matches/${encodeURIComponent(result.nextProposal.matchId)}?notice=declined_next` : '/queue?notice=declined_none',
    );
  });

  router.post('/matches/:id/active', ['coordinator'], async (req, res, ctx) => {
    const id = matchId(req.params['id']);
    const expectedVersion = version(field(req, 'version'));
    await inJourney(deps, ctx.account.id, id, 'mark active', () => deps.matching.markActive({ actor: ctx.account.id }, { matchId: id, expectedVersion }));
    res.redirect(303, `/matches/${encodeURIComponent(id)}?notice=marked_active`);
  });

  router.post('/matches/:id/close', ['coordinator'], async (req, res, ctx) => {
    const id = matchId(req.params['id']);
    const reason = closeReasons.find((r) => events.closeReasonToJSON(r) === field(req, 'reason'));
    if (reason === undefined) throw new AppError('CONSOLE.INVALID_ARGUMENT', ctx.t('errReason'));
    const expectedVersion = version(field(req, 'version'));
    await inJourney(deps, ctx.account.id, id, 'close', () => deps.matching.closeMatch({ actor: ctx.account.id }, { matchId: id, expectedVersion, reason }));
    res.redirect(303, `/matches/${encodeURIComponent(id)}?notice=closed`);
  });

  router.post('/matches/:id/reassign', ['coordinator'], async (req, res, ctx) => {
    const id = matchId(req.params['id']);
    const peerId = field(req, 'peer');
    const reason = reassignReasons.find((r) => r === field(req, 'reason'));
    if (!idPattern.test(peerId)) throw new AppError('CONSOLE.INVALID_ARGUMENT', ctx.t('errPeer'));
    if (reason === undefined) throw new AppError('CONSOLE.INVALID_ARGUMENT', ctx.t('errReason'));
    const expectedVersion = version(field(req, 'version'));
    const result = await inJourney(deps, ctx.account.id, id, 'reassign', () =>
      deps.matching.reassignMatch({ actor: ctx.account.id }, { matchId: id, expectedVersion, peerId, reason }),
    );
    res.redirect(303, `/matches/${encodeURIComponent(result.match?.matchId ?? id)}?notice=reassigned`);
  });
}
