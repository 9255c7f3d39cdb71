import { events, type matching } from '@kindred/contracts';
import type { MatchingGateway } from '../../matching/matching.client.js';
import { html } from '../html.js';
import { layout } from '../layout.view.js';
import { queryParam } from '../page-context.js';
import { sendPage, type GuardedRouter } from '../guarded-router.js';
import { noticeFor } from '../notices.js';
import { sinceText, scoreText } from '../format.js';

export const stateFilters: Readonly<Record<string, events.MatchState>> = {
  proposed: events.MatchState.MATCH_STATE_PROPOSED,
  approved: events.MatchState.MATCH_STATE_APPROVED,
  introduced: events.MatchState.MATCH_STATE_INTRODUCED,
  active: events.MatchState.MATCH_STATE_ACTIVE,
  needs_attention: events.MatchState.MATCH_STATE_NEEDS_ATTENTION,
  declined: events.MatchState.MATCH_STATE_DECLINED,
  closed: events.MatchState.MATCH_STATE_CLOSED,
  rematch_requested: events.MatchState.MATCH_STATE_REMATCH_REQUESTED,
};

export const topicValues: readonly events.Topic[] = (Object.values(events.Topic).filter((v) => typeof v === 'number') as events.Topic[]).filter(
  (t) => t !== events.Topic.TOPIC_UNSPECIFIED && t !== events.Topic.UNRECOGNIZED,
);

export function parseTopic(value: string): events.Topic | undefined {
  if (value === '') return events.Topic.TOPIC_UNSPECIFIED;
  return topicValues.find((t) => String(t) === value);
}

export function parseLanguage(value: string): string | undefined {
  if (value === '') return '';
  return /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(value) ? value.toLowerCase() : undefined;
}

/** Urgent first, then the longest waiting: the server promises this order, the console keeps it regardless. */
export function queueOrder(a: matching.MatchSummary, b: matching.MatchSummary): number {
  if (a.urgent !== b.urgent) return a.urgent ? -1 : 1;
  return (a.waitingSince?.getTime() ?? 0) - (b.waitingSince?.getTime() ?? 0);
}

export function registerQueuePage(router: GuardedRouter, deps: { matching: MatchingGateway; waitingThresholdMinutes: number }): void {
  router.get('/queue', ['coordinator'], async (req, res, ctx) => {
    const stateName = queryParam(req, 'state') || 'proposed';
    const state = stateFilters[stateName];
    const topic = parseTopic(queryParam(req, 'topic'));
    const language = parseLanguage(queryParam(req, 'language'));
    const pageToken = queryParam(req, 'page');
    const problems = [state === undefined ? 'state' : '', topic === undefined ? 'topic' : '', language === undefined ? 'language' : ''].filter(Boolean);
    if (state === undefined || topic === undefined || language === undefined || pageToken.length > 200) {
      sendPage(res, 400, layout(ctx, { title: ctx.t('badRequestTitle') }, html`<p>${ctx.t('filters')}: ${problems.join(', ')}</p><p><a href="/queue">${ctx.t('backToQueue')}</a></p>`));
      return;
    }
    const call = { actor: ctx.account.id };
    const [urgent, proposals] = await Promise.all([
      deps.matching.listUrgentNewcomers(call, { pageSize: 50 }),
      deps.matching.listProposals(call, { states: [state], topic, language, pageSize: 50, pageToken }),
    ]);
    const now = new Date();
    const rows = [...proposals.matches].sort(queueOrder);
    const thresholdMs = deps.waitingThresholdMinutes * 60_000;
    const nextUrl = new URL(ctx.url.toString());
    nextUrl.searchParams.set('page', proposals.nextPageToken);

    const body = html`
<section class="urgent" aria-labelledby="urgent-heading">
  <h2 id="urgent-heading">${ctx.t('urgentTitle')}</h2>
  <div class="crisis-guidance">
    <h3>${ctx.t('crisisGuidanceTitle')}</h3>
    <ol>
      <li>${ctx.t('crisisGuidance1')}</li>
      <li>${ctx.t('crisisGuidance2')}</li>
      <li>${ctx.t('crisisGuidance3')}</li>
      <li>${ctx.t('crisisGuidance4')}</li>
    </ol>
  </div>
  ${urgent.newcomers.length === 0
    ? html`<p>${ctx.t('urgentNone')}</p>`
    : html`<ul class="urgent-list">${urgent.newcomers.map(
        (n) => html`<li class="urgent-item"><strong>${n.displayLabel}</strong>
          <span class="badge badge-urgent">${ctx.t('riskLevel')}: ${ctx.l.risk(n.riskLevel)}</span>
          <span>${ctx.t('urgentWaiting', { time: sinceText(ctx, n.registeredAt, now) })}</span>
          ${n.currentMatchId ? html`<a href="/matches/${encodeURIComponent(n.currentMatchId)}">${ctx.l.state(n.currentMatchState)}</a>` : ''}</li>`,
      )}</ul>`}
</section>

<section aria-labelledby="proposals-heading">
  <h2 id="proposals-heading">${ctx.t('proposalsTitle')}</h2>
  <form method="get" action="/queue" class="filters">
    <fieldset><legend>${ctx.t('filters')}</legend>
      <div class="field"><label for="f-state">${ctx.t('filterState')}</label>
        <select id="f-state" name="state">${Object.entries(stateFilters).map(
          ([name, value]) => html`<option value="${name}"${name === stateName ? html` selected` : ''}>${ctx.l.state(value)}</option>`,
        )}</select></div>
      <div class="field"><label for="f-topic">${ctx.t('filterTopic')}</label>
        <select id="f-topic" name="topic"><option value="">${ctx.t('any')}</option>${topicValues.map(
          (t) => html`<option value="${t}"${t === topic ? html` selected` : ''}>${ctx.l.topic(t)}</option>`,
        )}</select></div>
      <div class="field"><label for="f-language">${ctx.t('filterLanguage')}</label>
        <input id="f-language" name="language" value="${language}" maxlength="20" autocomplete="off"></div>
      <button type="submit">${ctx.t('filterApply')}</button>
    </fieldset>
  </form>
  <p>${ctx.t('proposalsCount', { count: proposals.totalSize })}</p>
  ${rows.length === 0
    ? html`<p>${ctx.t('proposalsNone')}</p>`
    : html`<div class="table-wrap"><table class="queue">
      <thead><tr><th scope="col">${ctx.t('colNewcomer')}</th><th scope="col">${ctx.t('colPeer')}</th><th scope="col">${ctx.t('colShared')}</th>
        <th scope="col">${ctx.t('colScore')}</th><th scope="col">${ctx.t('colWaiting')}</th><th scope="col">${ctx.t('colState')}</th></tr></thead>
      <tbody>${rows.map((m) => {
        const long = m.waitingSince !== undefined && now.getTime() - m.waitingSince.getTime() > thresholdMs;
        return html`<tr${m.urgent ? html` class="row-urgent"` : ''}>
          <th scope="row"><a href="/matches/${encodeURIComponent(m.matchId)}">${m.newcomerDisplayLabel}</a>
            ${m.urgent ? html` <span class="badge badge-urgent">${ctx.t('urgentBadge')}</span>` : ''}</th>
          <td>${m.peerDisplayLabel}</td>
          <td>${m.sharedTopics.map((t) => ctx.l.topic(t)).join(', ')}</td>
          <td>${scoreText(m.score)}</td>
          <td>${sinceText(ctx, m.waitingSince, now)}${long ? html` <span class="badge badge-warn">${ctx.t('waitingLong')}</span>` : ''}</td>
          <td>${ctx.l.state(m.state)}</td></tr>`;
      })}</tbody></table></div>`}
  ${proposals.nextPageToken ? html`<p><a href="${nextUrl.pathname + nextUrl.search}">${ctx.t('nextPage')}</a></p>` : ''}
</section>`;
    sendPage(res, 200, layout(ctx, { title: ctx.t('queueTitle'), notice: noticeFor(ctx, queryParam(req, 'notice')) }, body));
  });
}
