import { elapsed } from '../domain/decision-facts.js';
import { html, type SafeHtml } from './html.js';
import type { PageContext } from './page-context.js';

export function durationText(ctx: PageContext, ms: number): string {
  const e = elapsed(ms);
  return ctx.t(e.unit, { n: e.value });
}

export function sinceText(ctx: PageContext, since: Date | undefined, now: Date): string {
  return since ? durationText(ctx, now.getTime() - since.getTime()) : '—';
}

export function dateText(ctx: PageContext, date: Date | undefined): string {
  if (!date) return '—';
  return new Intl.DateTimeFormat(ctx.locale === 'es' ? 'es-ES' : 'en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}

export function dateTimeText(ctx: PageContext, date: Date | undefined): string {
  if (!date) return '—';
  return new Intl.DateTimeFormat(ctx.locale === 'es' ? 'es-ES' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(date) + ' UTC';
}

export function scoreText(score: number): string {
  return score.toFixed(2);
}

export interface Bar {
  readonly label: string;
  readonly value: number;
  /** The text equivalent shown next to the label. */
  readonly text: string;
}

/**
 * A horizontal bar chart as inline SVG (no script, no inline style: the CSP allows neither). The SVG is
 * decorative; the list beside each bar carries the same figures as text for screen readers.
 */
export function barChart(caption: string, bars: readonly Bar[]): SafeHtml {
  const max = Math.max(...bars.map((b) => Math.abs(b.value)), Number.EPSILON);
  return html`<figure class="chart">
    <figcaption>${caption}</figcaption>
    <ul class="bars">${bars.map((bar) => {
      const width = Math.round((Math.max(0, bar.value) / max) * 100);
      return html`<li><span class="bar-label">${bar.text}</span>
        <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect x="0" y="0" height="10" width="${width}"></rect></svg></li>`;
    })}</ul>
  </figure>`;
}
