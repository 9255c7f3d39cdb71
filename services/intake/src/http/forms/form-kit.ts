import type { CrisisResources } from '../../domain/crisis-resources.js';
import type { FieldError } from '../../domain/validation.js';
import type { Locale } from '../../domain/vocabulary.js';
import { html, SafeHtml } from './html.js';
import { localizedError, messages, type Messages } from './i18n.js';
import type { FormValues } from './form-values.js';

/** What every field helper needs: the submitted values (kept when the form is shown again) and the errors. */
export interface FormState {
  readonly locale: Locale;
  readonly t: Messages;
  readonly values: FormValues;
  /** Errors by form field name. */
  readonly errors: ReadonlyMap<string, string>;
}

export function formState(locale: Locale, values: FormValues, errors: readonly FieldError[]): FormState {
  const byField = new Map<string, string>();
  for (const e of errors) if (!byField.has(e.field)) byField.set(e.field, localizedError(locale, e.code, e.message));
  return { locale, t: messages[locale], values, errors: byField };
}

export const idOf = (name: string) => `f-${name.replace(/[^a-zA-Z0-9]/g, '-')}`;
const errorId = (name: string) => `${idOf(name)}-error`;

function errorFor(state: FormState, name: string): SafeHtml {
  const message = state.errors.get(name);
  return message === undefined ? html`` : html`<p class="error" id="${errorId(name)}"><span class="visually-hidden">Error: </span>${message}</p>`;
}

const describedBy = (state: FormState, name: string, hint?: string) => {
  const ids = [hint, state.errors.has(name) ? errorId(name) : undefined].filter((x) => x !== undefined);
  return ids.length > 0 ? html` aria-describedby="${ids.join(' ')}"` : html``;
};

const invalid = (state: FormState, name: string) => (state.errors.has(name) ? html` aria-invalid="true"` : html``);

export function textField(
  state: FormState,
  name: string,
  label: string,
  options: { type?: string; required?: boolean; autocomplete?: string; maxLength?: number; inputmode?: string; hint?: string } = {},
): SafeHtml {
  const hintId = options.hint === undefined ? undefined : `${idOf(name)}-hint`;
  return html`<div class="field${state.errors.has(name) ? ' has-error' : ''}">
<label for="${idOf(name)}">${label}${options.required ? html` <span class="req">(${state.t.required})</span>` : html``}</label>
${options.hint === undefined ? html`` : html`<p class="hint" id="${hintId}">${options.hint}</p>`}
${errorFor(state, name)}
<input id="${idOf(name)}" name="${name}" type="${options.type ?? 'text'}" value="${state.values.get(name)?.[0] ?? ''}"${options.required ? html` required` : html``}${options.autocomplete ? html` autocomplete="${options.autocomplete}"` : html``}${options.maxLength ? html` maxlength="${options.maxLength}"` : html``}${options.inputmode ? html` inputmode="${options.inputmode}"` : html``}${invalid(state, name)}${describedBy(state, name, hintId)}>
</div>`;
}

export function textArea(state: FormState, name: string, label: string, maxLength: number): SafeHtml {
  return html`<div class="field${state.errors.has(name) ? ' has-error' : ''}">
<label for="${idOf(name)}">${label} <span class="opt">(${state.t.optional})</span></label>
${errorFor(state, name)}
<textarea id="${idOf(name)}" name="${name}" rows="4" maxlength="${maxLength}"${invalid(state, name)}${describedBy(state, name)}>${state.values.get(name)?.[0] ?? ''}</textarea>
</div>`;
}

export function selectField(state: FormState, name: string, label: string, options: readonly { value: string; label: string }[], required = true): SafeHtml {
  const current = state.values.get(name)?.[0];
  return html`<div class="field${state.errors.has(name) ? ' has-error' : ''}">
<label for="${idOf(name)}">${label}</label>
${errorFor(state, name)}
<select id="${idOf(name)}" name="${name}"${required ? html` required` : html``}${invalid(state, name)}${describedBy(state, name)}>
<option value=""></option>
${options.map((o) => html`<option value="${o.value}"${o.value === current ? html` selected` : html``}>${o.label}</option>`)}
</select>
</div>`;
}

/** A fieldset of radio buttons (single choice) or checkboxes (several), with its legend and error. */
export function choiceGroup(
  state: FormState,
  name: string,
  legend: string,
  options: readonly { value: string; label: string }[],
  kind: 'radio' | 'checkbox',
  extraError?: string,
): SafeHtml {
  const selected = new Set(state.values.get(name) ?? []);
  const errorNames = [name, ...(extraError === undefined ? [] : [extraError])];
  const errorName = errorNames.find((n) => state.errors.has(n)) ?? name;
  return html`<fieldset id="${idOf(name)}" class="field${state.errors.has(errorName) ? ' has-error' : ''}"${describedBy(state, errorName)}>
<legend>${legend}</legend>
${errorFor(state, errorName)}
${options.map(
  (o, i) => html`<div class="choice"><input type="${kind}" id="${idOf(name)}-${i}" name="${name}" value="${o.value}"${selected.has(o.value) ? html` checked` : html``}><label for="${idOf(name)}-${i}">${o.label}</label></div>`,
)}
</fieldset>`;
}

export function checkbox(state: FormState, name: string, label: string): SafeHtml {
  return html`<div class="choice${state.errors.has(name) ? ' has-error' : ''}">
${errorFor(state, name)}
<input type="checkbox" id="${idOf(name)}" name="${name}" value="yes"${state.values.has(name) ? html` checked` : html``}${invalid(state, name)}${describedBy(state, name)}><label for="${idOf(name)}">${label}</label>
</div>`;
}

export function yesNoQuestion(state: FormState, name: string, question: string): SafeHtml {
  return choiceGroup(state, name, question, [{ value: 'yes', label: state.t.yes }, { value: 'no', label: state.t.no }], 'radio');
}

export function errorSummary(state: FormState): SafeHtml {
  if (state.errors.size === 0) return html``;
  return html`<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">${state.t.errorSummary}</h2>
<ul>${[...state.errors].map(([name, message]) => html`<li><a href="#${idOf(name)}">${message}</a></li>`)}</ul>
</div>`;
}

export function crisisPanel(locale: Locale, resources: CrisisResources, urgent: boolean): SafeHtml {
  const t = messages[locale];
  return html`<section class="crisis" role="alert" aria-labelledby="crisis-title">
<h2 id="crisis-title">${t.crisisTitle}</h2>
<ul>
${resources.lines.map(
  (line) => html`<li><strong>${line.name}</strong>:
${line.call === undefined ? html`` : html` ${t.call} <a href="tel:${line.call.replace(/\s/g, '')}">${line.call}</a>`}
${line.text === undefined ? html`` : html` · ${t.text} <a href="sms:${line.text.replace(/\s/g, '')}">${line.text}</a>`}
${line.chatUrl === undefined ? html`` : html` · <a href="${line.chatUrl}">${t.chat}</a>`}</li>`,
)}
</ul>
<p>${t.crisisEmergency} <a href="tel:${resources.emergencyNumber}"><strong>${resources.emergencyNumber}</strong></a>.</p>
${urgent ? html`<p>${t.urgentNote}</p>` : html``}
</section>`;
}

const styles = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:1rem;line-height:1.5;color:#1b1b1b}
label,legend{font-weight:600;display:block}.choice label{display:inline;font-weight:400;margin-left:.4rem}
input[type=text],input[type=email],input[type=tel],input[type=date],input[type=number],input[type=time],select,textarea{width:100%;padding:.6rem;font-size:1rem;border:2px solid #555;border-radius:4px;box-sizing:border-box}
input[type=time]{width:auto}fieldset{border:0;padding:0;margin:1.2rem 0}.field{margin:1.2rem 0}.choice{margin:.5rem 0}
.choice input{width:1.4rem;height:1.4rem;vertical-align:middle}.hint{color:#505050;margin:.2rem 0}
.error{color:#b00020;font-weight:600;margin:.2rem 0}.has-error{border-left:4px solid #b00020;padding-left:.8rem}
.error-summary{border:4px solid #b00020;padding:1rem;margin-bottom:1.5rem}.error-summary a{color:#b00020}
.crisis{border:4px solid #0b5394;background:#eef4fb;padding:1rem;margin:1rem 0}.crisis a{font-size:1.2rem}
button{font-size:1.1rem;padding:.8rem 1.6rem;background:#0b5394;color:#fff;border:0;border-radius:4px}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.req,.opt{font-weight:400;color:#505050}.lang{float:right}`;

export function page(locale: Locale, title: string, body: SafeHtml, languageLinks: { en: string; es: string }): string {
  return html`<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>${new SafeHtml(styles)}</style></head>
<body>
<nav class="lang" aria-label="Language"><a href="${languageLinks.en}" lang="en" hreflang="en">English</a> · <a href="${languageLinks.es}" lang="es" hreflang="es">Español</a></nav>
<main>
${body}
</main>
</body>
</html>`.value;
}
