import { matching } from '@kindred/contracts';
import { html, type SafeHtml } from '../html.js';
import type { PageContext } from '../page-context.js';

/** What a provider error means for the coordinator, keyed by the notifier's code. */
const guidance: Record<string, { en: string; es: string }> = {
  twilio_21610: {
    en: 'The recipient replied STOP to our texts. Do not text them; use email if they agreed to it, or ask the intake team to reach them.',
    es: 'La persona respondió STOP a nuestros SMS. No le envíe SMS; use el correo si lo aceptó, o pida al equipo de admisión que la contacte.',
  },
  twilio_21211: {
    en: 'The phone number is not valid. Ask the intake team to confirm the number with the person.',
    es: 'El número de teléfono no es válido. Pida al equipo de admisión que confirme el número con la persona.',
  },
  twilio_21614: {
    en: 'The number cannot receive texts (not a mobile). Use email, or ask the intake team for another number.',
    es: 'El número no puede recibir SMS (no es un móvil). Use el correo o pida otro número al equipo de admisión.',
  },
  smtp_550: {
    en: 'The email address does not exist or refuses mail. Use SMS if they agreed to it, or ask the intake team to confirm the address.',
    es: 'La dirección de correo no existe o rechaza el correo. Use SMS si lo aceptó, o pida al equipo de admisión que confirme la dirección.',
  },
};

const fallback = {
  en: 'The introduction could not be delivered. Ask the intake team to check the contact details, or request a rematch.',
  es: 'No se pudo entregar la presentación. Pida al equipo de admisión que revise los datos de contacto, o solicite un nuevo emparejamiento.',
};

export function failureGuidance(ctx: PageContext, d: matching.DeliveryStatus): string {
  if (d.state !== matching.DeliveryState.DELIVERY_STATE_FAILED) return '';
  const entry = guidance[d.errorCode] ?? (d.errorCode.startsWith('smtp_5') ? guidance['smtp_550'] : undefined) ?? fallback;
  return entry[ctx.locale];
}

export function deliveriesTable(ctx: PageContext, deliveries: readonly matching.DeliveryStatus[]): SafeHtml {
  if (deliveries.length === 0) return html`<p>${ctx.t('deliveriesNone')}</p>`;
  return html`<div class="table-wrap"><table>
    <thead><tr><th scope="col">${ctx.t('colRecipient')}</th><th scope="col">${ctx.t('colChannel')}</th><th scope="col">${ctx.t('colDelivery')}</th><th scope="col">${ctx.t('colProblem')}</th></tr></thead>
    <tbody>${deliveries.map(
      (d) => html`<tr><td>${ctx.l.recipient(d.role)}</td><td>${ctx.l.channel(d.channel)}</td>
        <td><span class="${d.state === matching.DeliveryState.DELIVERY_STATE_FAILED ? 'badge badge-urgent' : 'badge'}">${ctx.l.delivery(d.state)}</span></td>
        <td>${d.errorCode ? html`<code>${d.errorCode}</code> ` : ''}${failureGuidance(ctx, d)}</td></tr>`,
    )}</tbody></table></div>`;
}
