import { genders, type Locale } from '../../domain/vocabulary.js';
import { limits } from '../../domain/intake.schemas.js';
import type { FieldError } from '../../domain/validation.js';
import { checked, many, one, type FormValues } from './form-values.js';
import { checkbox, choiceGroup, errorSummary, formState, textArea, textField } from './form-kit.js';
import { html, type SafeHtml } from './html.js';
import { enumLabels } from './i18n.js';
import { availabilityFromForm, consentFields, contactFields, profileFields, topicAndMeetingFields } from './newcomer-form.js';

export function peerPayloadFromForm(values: FormValues, locale: Locale, noticeVersion: string): { payload: Record<string, unknown>; dayOfWindow: number[] } {
  const { windows, dayOfWindow } = availabilityFromForm(values);
  const capacity = one(values, 'capacity');
  const payload: Record<string, unknown> = {
    firstName: one(values, 'firstName') ?? '',
    contact: { ...(one(values, 'contact.email') === undefined ? {} : { email: one(values, 'contact.email') }), ...(one(values, 'contact.phone') === undefined ? {} : { phone: one(values, 'contact.phone') }) },
    locale,
    languages: many(values, 'languages'),
    topics: many(values, 'topics'),
    meetingModes: many(values, 'meetingModes'),
    availability: windows,
    capacity: capacity === undefined ? undefined : /^\d{1,3}$/.test(capacity) ? Number(capacity) : capacity,
    certified: checked(values, 'certified'),
    consents: {
      contactByEmail: checked(values, 'consents.contactByEmail'),
      contactBySms: checked(values, 'consents.contactBySms'),
      shareFirstName: checked(values, 'consents.shareFirstName'),
      shareTopics: checked(values, 'consents.shareTopics'),
      noticeVersion: one(values, 'consents.noticeVersion') ?? noticeVersion,
    },
  };
  for (const name of ['preferredChannel', 'timeZone', 'ageBand', 'gender', 'recoveryStartedOn', 'bio'] as const) {
    const value = one(values, name);
    if (value !== undefined) payload[name] = value;
  }
  const region = one(values, 'region');
  if (region !== undefined) payload['region'] = region.toUpperCase();
  if (payload['capacity'] === undefined) delete payload['capacity'];
  return { payload, dayOfWindow };
}

export function renderPeerForm(input: { locale: Locale; values: FormValues; errors: readonly FieldError[]; noticeVersion: string; formKey: string }): SafeHtml {
  const s = formState(input.locale, input.values, input.errors);
  const labels = enumLabels[s.locale];
  return html`<h1>${s.t.peerTitle}</h1>
${errorSummary(s)}
<form method="post" action="/peers/enroll" accept-charset="utf-8" novalidate>
<input type="hidden" name="lang" value="${s.locale}">
<input type="hidden" name="formKey" value="${input.formKey}">
<fieldset><legend><h2>${s.t.aboutYou}</h2></legend>
${textField(s, 'firstName', s.t.firstName, { required: true, autocomplete: 'given-name', maxLength: limits.firstName })}
${contactFields(s)}
${profileFields(s)}
${choiceGroup(s, 'gender', s.t.gender, genders.map((g) => ({ value: g, label: labels.genders[g] ?? g })), 'radio')}
${textField(s, 'recoveryStartedOn', s.t.recoveryStartedOn, { type: 'date', required: true })}
${textField(s, 'capacity', s.t.capacity, { type: 'number', required: true, inputmode: 'numeric' })}
${checkbox(s, 'certified', s.t.certified)}
</fieldset>
${topicAndMeetingFields(s)}
${textArea(s, 'bio', s.t.bio, limits.bio)}
${consentFields(s, input.noticeVersion)}
<button type="submit">${s.t.submit}</button>
</form>`;
}
