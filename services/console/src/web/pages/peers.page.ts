import { AppError } from '@kindred/platform';
import type { MatchingGateway } from '../../matching/matching.client.js';
import { html } from '../html.js';
import { layout } from '../layout.view.js';
import { pauseReasons } from '../i18n.js';
import { field, queryParam } from '../page-context.js';
import { sendPage, type GuardedRouter } from '../guarded-router.js';
import { noticeFor } from '../notices.js';
import { dateText } from '../format.js';
import { parseLanguage, parseTopic, topicValues } from './queue.page.js';

const idPattern = /^[A-Za-z0-9_.:-]{1,100}$/;

/** A return date after today and within a year, as the start of that day in UTC. */
export function parseReturnDate(value: string, now: Date): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (date.toISOString().slice(0, 10) !== value) return undefined;
  if (date.getTime() <= now.getTime() || date.getTime() > now.getTime() + 366 * 24 * 3600 * 1000) return undefined;
  return date;
}

export function registerPeersPages(router: GuardedRouter, deps: { matching: MatchingGateway }): void {
  const peerId = (value: string | string[] | undefined): string => {
    if (typeof value !== 'string' || !idPattern.test(value)) throw new AppError('CONSOLE.NOT_FOUND', 'unknown peer id');
    return value;
  };

  router.get('/peers', ['coordinator'], async (req, res, ctx) => {
    const topic = parseTopic(queryParam(req, 'topic'));
    const language = parseLanguage(queryParam(req, 'language'));
    const availableOnly = queryParam(req, 'available') === '1';
    if (topic === undefined || language === undefined) throw new AppError('CONSOLE.INVALID_ARGUMENT', 'topic or language filter is not valid');
    const result = await deps.matching.listPeers({ actor: ctx.account.id }, { topic, language, availableOnly, pageSize: 100, pageToken: queryParam(req, 'page').slice(0, 200) });
    const now = new Date();
    const tomorrow = new Date(now.getTime() + 24 * 3600 * 1000).toISOString().slice(0, 10);
    const body = html`
<form method="get" action="/peers" class="filters">
  <fieldset><legend>${ctx.t('filters')}</legend>
    <div class="field"><label for="p-topic">${ctx.t('filterTopic')}</label>
      <select id="p-topic" name="topic"><option value="">${ctx.t('any')}</option>${topicValues.map(
        (t) => html`<option value="${t}"${t === topic ? html` selected` : ''}>${ctx.l.topic(t)}</option>`,
      )}</select></div>
    <div class="field"><label for="p-language">${ctx.t('filterLanguage')}</label><input id="p-language" name="language" value="${language}" maxlength="20"></div>
    <div class="field-check"><input type="checkbox" id="p-available" name="available" value="1"${availableOnly ? html` checked` : ''}>
      <label for="p-available">${ctx.t('availableOnly')}</label></div>
    <button type="submit">${ctx.t('filterApply')}</button>
  </fieldset>
</form>
${result.peers.length === 0
  ? html`<p>${ctx.t('peersNone')}</p>`
  : html`<div class="table-wrap"><table>
  <thead><tr><th scope="col">${ctx.t('peer')}</th><th scope="col">${ctx.t('topics')}</th><th scope="col">${ctx.t('languages')}</th>
    <th scope="col">${ctx.t('colCapacity')}</th><th scope="col">${ctx.t('colStatus')}</th><th scope="col">${ctx.t('colActions')}</th></tr></thead>
  <tbody>${result.peers.map((p) => {
    const id = encodeURIComponent(p.peerId);
    const paused = p.pausedUntil !== undefined && p.pausedUntil.getTime() > now.getTime();
    const status = !p.active ? ctx.t('statusInactive') : paused ? ctx.t('statusPaused', { date: dateText(ctx, p.pausedUntil) }) : p.load >= p.capacity ? ctx.t('statusAtCapacity') : ctx.t('statusActive');
    const meter = html`<meter min="0" max="${Math.max(p.capacity, 1)}" value="${p.load}" aria-label="${ctx.t('peerLoad')} ${p.displayLabel}">${p.load}/${p.capacity}</meter>`;
    return html`<tr><th scope="row">${p.displayLabel}</th>
      <td>${p.topics.map((t) => ctx.l.topic(t)).join(', ')}</td><td>${p.languages.join(', ')}</td>
      <td>${ctx.t('loadOf', { load: p.load, capacity: p.capacity })} ${meter}</td>
      <td>${status}</td>
      <td>${paused
        ? html`<form method="post" action="/peers/${id}/resume"><input type="hidden" name="_csrf" value="${ctx.csrfToken}">
            <button type="submit" class="button-secondary">${ctx.t('resume')}<span class="visually-hidden"> ${p.displayLabel}</span></button></form>`
        : html`<details class="confirm"><summary>${ctx.t('pause')}<span class="visually-hidden"> ${p.displayLabel}</span></summary>
            <form method="post" action="/peers/${id}/pause"><input type="hidden" name="_csrf" value="${ctx.csrfToken}">
              <div class="field"><label for="until-${p.peerId}">${ctx.t('pauseUntil')}</label>
                <input type="date" id="until-${p.peerId}" name="until" min="${tomorrow}" required></div>
              <div class="field"><label for="reason-${p.peerId}">${ctx.t('pauseReason')}</label>
                <select id="reason-${p.peerId}" name="reason" required><option value="">${ctx.t('chooseOne')}</option>${pauseReasons.map(
                  (r) => html`<option value="${r}">${ctx.l.code(r)}</option>`,
                )}</select></div>
              <button type="submit">${ctx.t('pauseConfirm')}</button>
            </form></details>`}</td></tr>`;
  })}</tbody></table></div>`}`;
    sendPage(res, 200, layout(ctx, { title: ctx.t('peersTitle'), notice: noticeFor(ctx, queryParam(req, 'notice')) }, body));
  });

  router.post('/peers/:id/pause', ['coordinator'], async (req, res, ctx) => {
    const id = peerId(req.params['id']);
    const until = parseReturnDate(field(req, 'until'), new Date());
    const reason = pauseReasons.find((r) => r === field(req, 'reason'));
    if (until === undefined) throw new AppError('CONSOLE.INVALID_ARGUMENT', ctx.t('errDate'));
    if (reason === undefined) throw new AppError('CONSOLE.INVALID_ARGUMENT', ctx.t('errReason'));
    await deps.matching.pausePeer({ actor: ctx.account.id }, { peerId: id, until, reason });
    res.redirect(303, '/peers?notice=paused');
  });

  router.post('/peers/:id/resume', ['coordinator'], async (req, res, ctx) => {
    await deps.matching.resumePeer({ actor: ctx.account.id }, peerId(req.params['id']));
    res.redirect(303, '/peers?notice=resumed');
  });
}
