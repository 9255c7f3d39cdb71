import { events, type matching } from '@kindred/contracts';
import { AppError } from '@kindred/platform';
import type { MatchingGateway } from '../../matching/matching.client.js';
import { html } from '../html.js';
import { layout } from '../layout.view.js';
import { queryParam, type PageContext } from '../page-context.js';
import { sendPage, type GuardedRouter } from '../guarded-router.js';
import { barChart, dateTimeText, durationText } from '../format.js';
import { actorNames } from '../actor-names.js';
import type { AccountRepository } from '../../auth/account.repository.js';

function percentiles(ctx: PageContext, p: matching.DurationPercentiles | undefined): string {
  if (!p || p.count === 0) return ctx.t('noSamples');
  return ctx.t('percentiles', {
    p50: durationText(ctx, Number(p.p50Ms)),
    p90: durationText(ctx, Number(p.p90Ms)),
    max: durationText(ctx, Number(p.maxMs)),
    count: p.count,
  });
}

export function registerInsightsPage(router: GuardedRouter, deps: { matching: MatchingGateway; accounts: AccountRepository; waitingThresholdMinutes: number }): void {
  router.get('/insights', ['coordinator', 'admin'], async (req, res, ctx) => {
    const query = queryParam(req, 'q').trim().slice(0, 100);
    const hoursParam = queryParam(req, 'threshold_hours');
    const hours = hoursParam === '' ? Math.max(1, Math.round(deps.waitingThresholdMinutes / 60)) : Number(hoursParam);
    if (!Number.isInteger(hours) || hours < 1 || hours > 720) throw new AppError('CONSOLE.INVALID_ARGUMENT', ctx.t('errThreshold'));
    const pageToken = queryParam(req, 'page').slice(0, 200);
    const call = { actor: ctx.account.id };
    const [insights, audit] = await Promise.all([
      deps.matching.getInsights(call, { waitingThresholdMinutes: hours * 60 }),
      deps.matching.listAudit(call, { query, pageSize: 50, pageToken }),
    ]);
    const i = insights;
    const name = await actorNames(deps.accounts, audit.entries.map((a) => a.actor));
    const ratePercent = Math.round(i.approvalRate * 100);
    const body = html`
<section aria-labelledby="times-heading"><h2 id="times-heading">${ctx.t('timesTitle')}</h2>
  ${barChart(ctx.t('timesTitle'), [
    { label: ctx.t('intakeToProposal'), value: Number(i.intakeToProposal?.p50Ms ?? 0), text: `${ctx.t('intakeToProposal')}: ${percentiles(ctx, i.intakeToProposal)}` },
    { label: ctx.t('intakeToIntroduction'), value: Number(i.intakeToIntroduction?.p50Ms ?? 0), text: `${ctx.t('intakeToIntroduction')}: ${percentiles(ctx, i.intakeToIntroduction)}` },
  ])}
</section>
<section aria-labelledby="decisions-heading"><h2 id="decisions-heading">${ctx.t('decisionsTitle')}</h2>
  <p>${ctx.t('approvalRate', { approved: i.approved, declined: i.declined, decided: i.proposalsDecided, rate: ratePercent })}</p>
  ${i.declineReasons.length > 0
    ? barChart(ctx.t('declineReasonsTitle'), i.declineReasons.map((r) => ({ label: ctx.l.declineReason(r.reason), value: r.count, text: `${ctx.l.declineReason(r.reason)}: ${r.count}` })))
    : ''}
</section>
<section aria-labelledby="load-heading"><h2 id="load-heading">${ctx.t('loadTitle')}</h2>
  ${barChart(ctx.t('loadTitle'), i.peerLoad.map((b) => ({ label: String(b.load), value: b.peers, text: ctx.t('loadBucket', { peers: b.peers, load: b.load }) })))}
  <p>${ctx.t('atCapacity', { n: i.peersAtCapacity, paused: i.peersPaused })}</p>
</section>
<section aria-labelledby="waiting-heading"><h2 id="waiting-heading">${ctx.t('waitingTitle')}</h2>
  <form method="get" action="/insights" class="filters">
    <div class="field"><label for="threshold">${ctx.t('thresholdHours')}</label>
      <input id="threshold" name="threshold_hours" type="number" min="1" max="720" step="1" value="${hours}" inputmode="numeric"></div>
    <input type="hidden" name="q" value="${query}">
    <button type="submit">${ctx.t('filterApply')}</button>
  </form>
  <p>${ctx.t('waitingOver', { n: i.matchesWaitingOverThreshold, threshold: durationText(ctx, (i.waitingThresholdMinutes || hours * 60) * 60_000), urgent: i.urgentNewcomersWaiting })}</p>
  ${i.oldestWaiting.length > 0
    ? html`<ul>${i.oldestWaiting.map((m) => html`<li><a href="/matches/${encodeURIComponent(m.matchId)}">${ctx.t('matchTitle', { newcomer: m.newcomerDisplayLabel, peer: m.peerDisplayLabel })}</a></li>`)}</ul>`
    : ''}
</section>
<section aria-labelledby="audit-heading"><h2 id="audit-heading">${ctx.t('auditTitle')}</h2>
  <form method="get" action="/insights" class="filters" role="search">
    <div class="field"><label for="audit-q">${ctx.t('auditSearch')}</label><input id="audit-q" name="q" type="search" value="${query}" maxlength="100"></div>
    <input type="hidden" name="threshold_hours" value="${hours}">
    <button type="submit">${ctx.t('auditSearchButton')}</button>
  </form>
  ${audit.entries.length === 0
    ? html`<p>${ctx.t('auditNone')}</p>`
    : html`<div class="table-wrap"><table class="audit">
    <thead><tr><th scope="col">${ctx.t('colWhen')}</th><th scope="col">${ctx.t('colActor')}</th><th scope="col">${ctx.t('colAction')}</th><th scope="col">${ctx.t('colMatch')}</th><th scope="col">${ctx.t('colState')}</th><th scope="col">${ctx.t('colReason')}</th></tr></thead>
    <tbody>${audit.entries.map(
      (a) => html`<tr><td>${dateTimeText(ctx, a.at)}</td><td>${name(a.actor)}</td><td><code>${a.action}</code></td>
        <td>${a.matchId ? html`<a href="/matches/${encodeURIComponent(a.matchId)}">${a.matchId}</a>` : '—'}</td>
        <td>${a.fromState !== events.MatchState.MATCH_STATE_UNSPECIFIED ? `${ctx.l.state(a.fromState)} → ${ctx.l.state(a.toState)}` : '—'}</td>
        <td>${a.reason ? ctx.l.reason(a.reason) : '—'}</td></tr>`,
    )}</tbody></table></div>`}
  ${audit.nextPageToken ? html`<p><a href="/insights?${new URLSearchParams({ q: query, threshold_hours: String(hours), page: audit.nextPageToken }).toString()}">${ctx.t('nextPage')}</a></p>` : ''}
</section>`;
    sendPage(res, 200, layout(ctx, { title: ctx.t('insightsTitle') }, body));
  });
}
