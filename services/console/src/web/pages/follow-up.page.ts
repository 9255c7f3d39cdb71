import { events, type matching } from '@kindred/contracts';
import type { MatchingGateway } from '../../matching/matching.client.js';
import { html, type SafeHtml } from '../html.js';
import { layout } from '../layout.view.js';
import type { PageContext } from '../page-context.js';
import { sendPage, type GuardedRouter } from '../guarded-router.js';
import { sinceText } from '../format.js';
import { deliveriesTable } from './deliveries.view.js';

function matchCards(ctx: PageContext, details: readonly matching.MatchDetail[], now: Date, empty: string): SafeHtml {
  if (details.length === 0) return html`<p>${empty}</p>`;
  return html`${details.map((d) => {
    const s = d.summary;
    if (!s) return '';
    return html`<article class="card" aria-labelledby="m-${s.matchId}">
      <h3 id="m-${s.matchId}"><a href="/matches/${encodeURIComponent(s.matchId)}">${ctx.t('matchTitle', { newcomer: s.newcomerDisplayLabel, peer: s.peerDisplayLabel })}</a></h3>
      <p>${ctx.t('colState')}: ${ctx.l.state(s.state)} · ${ctx.t('lastChange', { time: sinceText(ctx, s.updatedAt, now) })}</p>
      <h4>${ctx.t('deliveries')}</h4>
      ${deliveriesTable(ctx, d.deliveries)}
    </article>`;
  })}`;
}

/** Active matches need no delivery detail, only a way to their page (to close them when support ends). */
function activeList(ctx: PageContext, rows: readonly matching.MatchSummary[], now: Date): SafeHtml {
  if (rows.length === 0) return html`<p>${ctx.t('activeNone')}</p>`;
  return html`<ul>${rows.map(
    (s) =>
      html`<li><a href="/matches/${encodeURIComponent(s.matchId)}">${ctx.t('matchTitle', { newcomer: s.newcomerDisplayLabel, peer: s.peerDisplayLabel })}</a> · ${ctx.t('lastChange', { time: sinceText(ctx, s.updatedAt, now) })}</li>`,
  )}</ul>`;
}

export function registerFollowUpPage(router: GuardedRouter, deps: { matching: MatchingGateway }): void {
  router.get('/follow-up', ['coordinator'], async (_req, res, ctx) => {
    const call = { actor: ctx.account.id };
    const [attention, approved, active] = await Promise.all([
      deps.matching.listProposals(call, { states: [events.MatchState.MATCH_STATE_NEEDS_ATTENTION], pageSize: 25 }),
      deps.matching.listProposals(call, { states: [events.MatchState.MATCH_STATE_APPROVED, events.MatchState.MATCH_STATE_INTRODUCED], pageSize: 25 }),
      deps.matching.listProposals(call, { states: [events.MatchState.MATCH_STATE_ACTIVE], pageSize: 50 }),
    ]);
    // Delivery status per channel lives on the match detail; 25 + 25 lookups bound the page's cost.
    const load = (list: matching.ListProposalsResponse) => Promise.all(list.matches.map((m) => deps.matching.getMatch(call, m.matchId)));
    const [attentionDetails, approvedDetails] = await Promise.all([load(attention), load(approved)]);
    const now = new Date();
    const body = html`
<section aria-labelledby="attention-heading"><h2 id="attention-heading">${ctx.t('needsAttentionTitle')}</h2>
  ${matchCards(ctx, attentionDetails, now, ctx.t('needsAttentionNone'))}</section>
<section aria-labelledby="approved-heading"><h2 id="approved-heading">${ctx.t('approvedTitle')}</h2>
  ${matchCards(ctx, approvedDetails, now, ctx.t('approvedNone'))}</section>
<section aria-labelledby="active-heading"><h2 id="active-heading">${ctx.t('activeTitle')}</h2>
  ${activeList(ctx, active.matches, now)}</section>`;
    sendPage(res, 200, layout(ctx, { title: ctx.t('followUpTitle') }, body));
  });
}
