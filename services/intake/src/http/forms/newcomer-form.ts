import { ageBands, genders, meetingModes, topics, weekdays, type Locale } from '../../domain/vocabulary.js';
import { isSupportedTimeZone, limits } from '../../domain/intake.schemas.js';
import type { FieldError } from '../../domain/validation.js';
import { checked, many, one, yesNo, type FormValues } from './form-values.js';
import { checkbox, choiceGroup, errorSummary, formState, selectField, textArea, textField, yesNoQuestion, type FormState } from './form-kit.js';
import { html, type SafeHtml } from './html.js';
import { enumLabels } from './i18n.js';

export const formLanguages = ['en', 'es', 'fr', 'pt', 'zh', 'vi', 'ar', 'ko', 'tl', 'ru'] as const;
const timeZones = Intl.supportedValuesOf('timeZone').filter(isSupportedTimeZone);

/**
 * Turns the form into the JSON API's payload, so both go through the same schema. Availability rows are one per
 * weekday; `dayOfWindow` maps the payload's window index back to the form row for error messages.
 */
export function availabilityFromForm(values: FormValues): { windows: { day: number; start: string; end: string }[]; dayOfWindow: number[] } {
  const windows: { day: number; start: string; end: string }[] = [];
  const dayOfWindow: number[] = [];
  for (const day of weekdays) {
    const start = one(values, `availability.${day}.start`);
    const end = one(values, `availability.${day}.end`);
    if (start === undefined && end === undefined) continue;
    windows.push({ day, start: start ?? '', end: end ?? '' });
    dayOfWindow.push(day);
  }
  return { windows, dayOfWindow };
}

/** Error paths of the payload → names of the form's fields. */
export function formFieldOf(field: string, dayOfWindow: readonly number[]): string {
  const window = /^availability\.(\d+)(\.(start|end|day))?$/.exec(field);
  if (window) {
    const day = dayOfWindow[Number(window[1])];
    if (day === undefined) return 'availability';
    return window[3] === 'end' ? `availability.${day}.end` : `availability.${day}.start`;
  }
  const indexed = /^(topics|languages|meetingModes|genderPreference\.genders)\.\d+$/.exec(field);
  if (indexed?.[1] !== undefined) return indexed[1];
  if (field === 'contact') return 'contact.email';
  return field;
}

export function newcomerPayloadFromForm(values: FormValues, locale: Locale, noticeVersion: string): { payload: Record<string, unknown>; dayOfWindow: number[] } {
  const { windows, dayOfWindow } = availabilityFromForm(values);
  const prefKind = one(values, 'genderPreference.kind');
  const payload: Record<string, unknown> = {
    firstName: one(values, 'firstName') ?? '',
    contact: { ...(one(values, 'contact.email') === undefined ? {} : { email: one(values, 'contact.email') }), ...(one(values, 'contact.phone') === undefined ? {} : { phone: one(values, 'contact.phone') }) },
    preferredChannel: one(values, 'preferredChannel'),
    locale,
    timeZone: one(values, 'timeZone'),
    languages: many(values, 'languages'),
    ageBand: one(values, 'ageBand'),
    gender: one(values, 'gender'),
    genderPreference: {
      kind: prefKind,
      ...(prefKind === 'specific' ? { genders: many(values, 'genderPreference.genders') } : {}),
      mustHave: checked(values, 'genderPreference.mustHave'),
    },
    topics: many(values, 'topics'),
    meetingModes: many(values, 'meetingModes'),
    region: one(values, 'region')?.toUpperCase(),
    availability: windows,
    hopes: one(values, 'hopes'),
    consents: {
      contactByEmail: checked(values, 'consents.contactByEmail'),
      contactBySms: checked(values, 'consents.contactBySms'),
      shareFirstName: checked(values, 'consents.shareFirstName'),
      shareTopics: checked(values, 'consents.shareTopics'),
      noticeVersion: one(values, 'consents.noticeVersion') ?? noticeVersion,
    },
    screener: {
      wishToBeDead: yesNo(values, 'screener.wishToBeDead'),
      suicidalThoughts: yesNo(values, 'screener.suicidalThoughts'),
      thoughtsWithMethod: yesNo(values, 'screener.thoughtsWithMethod'),
      intentToAct: yesNo(values, 'screener.intentToAct'),
      planWithIntent: yesNo(values, 'screener.planWithIntent'),
      suicidalBehavior: yesNo(values, 'screener.suicidalBehavior'),
      behaviorPast3Months: yesNo(values, 'screener.behaviorPast3Months'),
    },
  };
  return { payload: dropUndefined(payload) as Record<string, unknown>, dayOfWindow };
}

function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUndefined);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, dropUndefined(v)]));
  }
  return value;
}

export function contactFields(s: FormState): SafeHtml {
  return html`<p class="hint">${s.t.contactHint}</p>
${textField(s, 'contact.email', s.t.email, { type: 'email', autocomplete: 'email', maxLength: limits.email })}
${textField(s, 'contact.phone', s.t.phone, { type: 'tel', autocomplete: 'tel', maxLength: limits.phone, inputmode: 'tel' })}
${choiceGroup(s, 'preferredChannel', s.t.preferredChannel, [{ value: 'email', label: s.t.channel_email }, { value: 'sms', label: s.t.channel_sms }], 'radio')}`;
}

export function profileFields(s: FormState): SafeHtml {
  const labels = enumLabels[s.locale];
  return html`${selectField(s, 'timeZone', s.t.timeZone, timeZones.map((z) => ({ value: z, label: z.replace(/_/g, ' ') })))}
${choiceGroup(s, 'languages', s.t.languages, formLanguages.map((l) => ({ value: l, label: labels.languages[l] ?? l })), 'checkbox')}
${choiceGroup(s, 'ageBand', s.t.ageBand, ageBands.map((a) => ({ value: a, label: labels.ageBands[a] ?? a })), 'radio')}`;
}

export function topicAndMeetingFields(s: FormState): SafeHtml {
  const labels = enumLabels[s.locale];
  return html`${choiceGroup(s, 'topics', s.t.topics, topics.map((t) => ({ value: t, label: labels.topics[t] ?? t })), 'checkbox')}
${choiceGroup(s, 'meetingModes', s.t.meetingModes, meetingModes.map((m) => ({ value: m, label: labels.meetingModes[m] ?? m })), 'checkbox')}
${textField(s, 'region', s.t.region, { maxLength: 6 })}
<fieldset id="f-availability"><legend>${s.t.availability}</legend><p class="hint">${s.t.availabilityHint}</p>
${s.errors.has('availability') ? html`<p class="error">${s.errors.get('availability')}</p>` : html``}
${weekdays.map(
  (day) => html`<div class="field${s.errors.has(`availability.${day}.start`) || s.errors.has(`availability.${day}.end`) ? ' has-error' : ''}" role="group" aria-labelledby="day-${day}">
<span id="day-${day}"><strong>${labels.days[day]}</strong></span>
${s.errors.has(`availability.${day}.start`) ? html`<p class="error" id="f-availability-${day}-start-error">${s.errors.get(`availability.${day}.start`)}</p>` : html``}
${s.errors.has(`availability.${day}.end`) ? html`<p class="error" id="f-availability-${day}-end-error">${s.errors.get(`availability.${day}.end`)}</p>` : html``}
<label for="f-availability-${day}-start" class="choice">${s.t.from}</label> <input type="time" id="f-availability-${day}-start" name="availability.${day}.start" value="${s.values.get(`availability.${day}.start`)?.[0] ?? ''}">
<label for="f-availability-${day}-end" class="choice">${s.t.to}</label> <input type="time" id="f-availability-${day}-end" name="availability.${day}.end" value="${s.values.get(`availability.${day}.end`)?.[0] ?? ''}">
</div>`,
)}
</fieldset>`;
}

export function consentFields(s: FormState, noticeVersion: string): SafeHtml {
  return html`<fieldset><legend>${s.t.consents}</legend>
<input type="hidden" name="consents.noticeVersion" value="${s.values.get('consents.noticeVersion')?.[0] ?? noticeVersion}">
${s.errors.has('consents.noticeVersion') ? html`<p class="error">${s.errors.get('consents.noticeVersion')}</p>` : html``}
${checkbox(s, 'consents.contactByEmail', s.t.consentEmail)}
${checkbox(s, 'consents.contactBySms', s.t.consentSms)}
${checkbox(s, 'consents.shareFirstName', s.t.consentFirstName)}
${checkbox(s, 'consents.shareTopics', s.t.consentTopics)}
</fieldset>`;
}

export function renderNewcomerForm(input: { locale: Locale; values: FormValues; errors: readonly FieldError[]; noticeVersion: string; formKey: string }): SafeHtml {
  const s = formState(input.locale, input.values, input.errors);
  const labels = enumLabels[s.locale];
  const genderOptions = genders.map((g) => ({ value: g, label: labels.genders[g] ?? g }));
  return html`<h1>${s.t.title}</h1>
${errorSummary(s)}
<p>${s.t.intro}</p>
<form method="post" action="/intake" accept-charset="utf-8" novalidate>
<input type="hidden" name="lang" value="${s.locale}">
<input type="hidden" name="formKey" value="${input.formKey}">
<fieldset><legend><h2>${s.t.aboutYou}</h2></legend>
${textField(s, 'firstName', s.t.firstName, { required: true, autocomplete: 'given-name', maxLength: limits.firstName })}
${contactFields(s)}
${profileFields(s)}
${choiceGroup(s, 'gender', `${s.t.gender} (${s.t.optional})`, genderOptions, 'radio')}
${choiceGroup(s, 'genderPreference.kind', s.t.genderPreference, [{ value: 'none', label: s.t.pref_none }, { value: 'same', label: s.t.pref_same }, { value: 'specific', label: s.t.pref_specific }], 'radio')}
${choiceGroup(s, 'genderPreference.genders', s.t.pref_specific, genderOptions.filter((g) => g.value !== 'prefer_not_say'), 'checkbox')}
${checkbox(s, 'genderPreference.mustHave', s.t.mustHave)}
</fieldset>
${topicAndMeetingFields(s)}
${textArea(s, 'hopes', s.t.hopes, limits.hopes)}
<fieldset><legend><h2>${s.t.screener}</h2></legend>
<p>${s.t.screenerIntro}</p>
${yesNoQuestion(s, 'screener.wishToBeDead', s.t.q_wishToBeDead)}
${yesNoQuestion(s, 'screener.suicidalThoughts', s.t.q_suicidalThoughts)}
${yesNoQuestion(s, 'screener.thoughtsWithMethod', s.t.q_thoughtsWithMethod)}
${yesNoQuestion(s, 'screener.intentToAct', s.t.q_intentToAct)}
${yesNoQuestion(s, 'screener.planWithIntent', s.t.q_planWithIntent)}
${yesNoQuestion(s, 'screener.suicidalBehavior', s.t.q_suicidalBehavior)}
${yesNoQuestion(s, 'screener.behaviorPast3Months', s.t.q_behaviorPast3Months)}
</fieldset>
${consentFields(s, input.noticeVersion)}
<button type="submit">${s.t.submit}</button>
</form>`;
}
