import { z } from 'zod';
import { isValidPhoneNumber, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import {
  ageBands,
  channels,
  genderPreferenceKinds,
  genders,
  locales,
  meetingModes,
  pauseReasons,
  topics,
} from './vocabulary.js';

/**
 * One zod schema per payload (newcomer intake, peer enrollment, peer update). They are the single source of the
 * JSON API's validation, the HTML forms' validation and the OpenAPI document, so they avoid transforms (which
 * JSON Schema cannot express): normalisation (E.164, lower-case email, midnight-crossing windows) happens after
 * parsing, in `normalize*`. Every custom check sets `params.code` so errors carry stable codes.
 */

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

export const limits = {
  firstName: 50,
  email: 254,
  phone: 32,
  hopes: 1000,
  bio: 1000,
  languages: 6,
  language: 35,
  topics: 10,
  windows: 28,
  noticeVersion: 32,
  capacityMax: 10,
  bodyBytes: 32 * 1024,
} as const;

const supportedZones = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC']);
export function isSupportedTimeZone(value: string): boolean {
  return supportedZones.has(value);
}

function isLanguageTag(value: string): boolean {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

// No control characters (C0, DEL, C1), no bidi overrides: a name or a note is printable text.
// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
const singleLineControl = /[\r\n\t]/;

const custom = (code: string, message: string) => ({ message, params: { code } });

const firstName = z
  .string()
  .trim()
  .min(1, { message: 'Enter a first name' })
  .max(limits.firstName, { message: `Use at most ${limits.firstName} characters` })
  .refine((v) => !controlCharacters.test(v) && !singleLineControl.test(v), custom('invalid_characters', 'Use letters, spaces and punctuation only'));

const freeText = (max: number) =>
  z
    .string()
    .max(max, { message: `Use at most ${max} characters` })
    .refine((v) => !controlCharacters.test(v), custom('invalid_characters', 'Remove control characters'));

export interface SchemaOptions {
  /** Privacy notice versions a client may say it showed; the first is the current one. */
  readonly noticeVersions: readonly string[];
  /** Country used to read a phone number typed without its +country code. */
  readonly defaultPhoneCountry: CountryCode;
}

const email = z.email({ message: 'Enter an email address like name@example.org' }).max(limits.email, { message: `Use at most ${limits.email} characters` });

const contact = (options: SchemaOptions) =>
  z.strictObject({
    email: email.optional(),
    phone: z
      .string()
      .max(limits.phone, { message: `Use at most ${limits.phone} characters` })
      .refine(
        (v) => /^[+\d(][\d\s().-]*$/.test(v) && isValidPhoneNumber(v, options.defaultPhoneCountry),
        custom('invalid_phone', 'Enter a valid phone number, with its country code, like +1 201 555 0123'),
      )
      .optional(),
  });

const timeZone = z
  .string()
  .max(64)
  .refine(isSupportedTimeZone, custom('invalid_time_zone', 'Choose a time zone from the list (an IANA name such as America/Chicago)'));

const languages = z
  .array(z.string().max(limits.language).refine(isLanguageTag, custom('invalid_language', 'Use a language tag such as en or es-MX')))
  .min(1, { message: 'Choose at least one language' })
  .max(limits.languages, { message: `Choose at most ${limits.languages} languages` })
  .refine((list) => new Set(list.map((l) => l.toLowerCase())).size === list.length, custom('duplicate', 'Each language only once'));

const topicList = z
  .array(z.enum(topics, { message: 'Choose topics from the list' }))
  .min(1, { message: 'Choose at least one topic' })
  .max(limits.topics, { message: `Choose at most ${limits.topics} topics` })
  .refine((list) => new Set(list).size === list.length, custom('duplicate', 'Each topic only once'));

const meetingModeList = z
  .array(z.enum(meetingModes, { message: 'Choose phone, video or in person' }))
  .min(1, { message: 'Choose at least one way to meet' })
  .max(meetingModes.length)
  .refine((list) => new Set(list).size === list.length, custom('duplicate', 'Each way to meet only once'));

const region = z
  .string()
  .regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, { message: 'Use a region code such as US-TX' });

const clock = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, { message: 'Use a time like 18:30' });

const weeklyWindow = z
  .strictObject({
    day: z.int({ message: 'Use a day number, 0 for Monday to 6 for Sunday' }).min(0).max(6),
    start: clock,
    end: clock,
  })
  .refine((w) => w.start !== w.end && w.start !== '24:00', custom('empty_window', 'The end must differ from the start'));

const availability = z
  .array(weeklyWindow)
  .min(1, { message: 'Give at least one time you are available' })
  .max(limits.windows, { message: `Give at most ${limits.windows} time windows` });

const isoDate = z.iso.date({ message: 'Use a date like 2024-05-31' });

const consents = (options: SchemaOptions) =>
  z.strictObject({
    contactByEmail: z.boolean(),
    contactBySms: z.boolean(),
    shareFirstName: z.boolean(),
    shareTopics: z.boolean(),
    noticeVersion: z
      .string()
      .max(limits.noticeVersion)
      .refine((v) => options.noticeVersions.includes(v), custom('unknown_notice_version', 'This privacy notice is not current; reload the form')),
  });

const genderPreference = z.strictObject({
  kind: z.enum(genderPreferenceKinds, { message: 'Choose none, same or specific' }),
  genders: z.array(z.enum(genders)).max(genders.length).optional(),
  mustHave: z.boolean(),
});

/** Columbia-style screener (C-SSRS screen version). Questions 3–5 and 6b only matter after a yes to 2 and 6. */
export const screenerSchema = z.strictObject({
  wishToBeDead: z.boolean(),
  suicidalThoughts: z.boolean(),
  thoughtsWithMethod: z.boolean().optional(),
  intentToAct: z.boolean().optional(),
  planWithIntent: z.boolean().optional(),
  suicidalBehavior: z.boolean(),
  behaviorPast3Months: z.boolean().optional(),
});
export type ScreenerAnswers = z.output<typeof screenerSchema>;

export interface ProfileLike {
  contact?: { email?: string | undefined; phone?: string | undefined } | undefined;
  preferredChannel?: (typeof channels)[number] | undefined;
  consents?: { contactByEmail: boolean; contactBySms: boolean } | undefined;
  meetingModes?: readonly string[] | undefined;
  region?: string | undefined;
  gender?: string | undefined;
  genderPreference?: { kind: string; genders?: readonly string[] | undefined } | undefined;
  recoveryStartedOn?: string | undefined;
}

export interface CrossFieldIssue {
  readonly path: (string | number)[];
  readonly code: string;
  readonly message: string;
}

/**
 * Rules that involve more than one field; each issue names the field a person must change. Also run by the peer
 * update on the merged profile, where the contact fields are only known to be present or absent.
 */
export function crossFieldIssues(value: ProfileLike, today: string = todayUtc()): CrossFieldIssue[] {
  const issues: CrossFieldIssue[] = [];
  const issue = (path: (string | number)[], code: string, message: string) => issues.push({ path, code, message });
  if (value.contact) {
    if (value.contact.email === undefined && value.contact.phone === undefined) {
      issue(['contact'], 'contact_required', 'Give an email address or a phone number');
    }
    if (value.preferredChannel === 'email' && value.contact.email === undefined) {
      issue(['contact', 'email'], 'required_for_channel', 'Give an email address to be contacted by email');
    }
    if (value.preferredChannel === 'sms' && value.contact.phone === undefined) {
      issue(['contact', 'phone'], 'required_for_channel', 'Give a mobile number to be contacted by text message');
    }
  }
  if (value.consents && value.preferredChannel === 'email' && !value.consents.contactByEmail) {
    issue(['consents', 'contactByEmail'], 'consent_required', 'We need your consent to contact you by email');
  }
  if (value.consents && value.preferredChannel === 'sms' && !value.consents.contactBySms) {
    issue(['consents', 'contactBySms'], 'consent_required', 'We need your consent to contact you by text message');
  }
  if (value.meetingModes?.includes('in_person') && value.region === undefined) {
    issue(['region'], 'required_for_in_person', 'Give your region to meet in person');
  }
  const pref = value.genderPreference;
  if (pref) {
    if (pref.kind === 'specific' && (pref.genders?.length ?? 0) === 0) {
      issue(['genderPreference', 'genders'], 'required_for_specific', 'Choose at least one gender');
    }
    if (pref.kind !== 'specific' && (pref.genders?.length ?? 0) > 0) {
      issue(['genderPreference', 'genders'], 'only_for_specific', 'Genders are only chosen for a specific preference');
    }
    if (pref.kind === 'same' && (value.gender === undefined || value.gender === 'prefer_not_say')) {
      issue(['genderPreference', 'kind'], 'needs_own_gender', 'Tell us your gender to ask for someone of the same gender');
    }
  }
  if (value.recoveryStartedOn !== undefined && value.recoveryStartedOn > today) {
    issue(['recoveryStartedOn'], 'date_in_future', 'This date cannot be in the future');
  }
  return issues;
}

function crossFieldRules(value: ProfileLike, ctx: z.RefinementCtx): void {
  for (const i of crossFieldIssues(value)) ctx.addIssue({ code: 'custom', path: i.path, message: i.message, params: { code: i.code } });
}


export function newcomerIntakeSchema(options: SchemaOptions) {
  return z
    .strictObject({
      firstName,
      contact: contact(options),
      preferredChannel: z.enum(channels, { message: 'Choose email or text message' }),
      locale: z.enum(locales).optional(),
      timeZone,
      languages,
      ageBand: z.enum(ageBands, { message: 'Choose an age range' }),
      gender: z.enum(genders, { message: 'Choose from the list or "prefer not to say"' }).optional(),
      genderPreference,
      topics: topicList,
      meetingModes: meetingModeList,
      region: region.optional(),
      availability,
      recoveryStartedOn: isoDate.optional(),
      hopes: freeText(limits.hopes).optional(),
      consents: consents(options),
      screener: screenerSchema,
    })
    .superRefine((value, ctx) => crossFieldRules(value, ctx));
}
export type NewcomerIntake = z.output<ReturnType<typeof newcomerIntakeSchema>>;

const peerFields = (options: SchemaOptions) => ({
  firstName,
  contact: contact(options),
  preferredChannel: z.enum(channels, { message: 'Choose email or text message' }),
  locale: z.enum(locales).optional(),
  timeZone,
  languages,
  ageBand: z.enum(ageBands, { message: 'Choose an age range' }),
  gender: z.enum(genders, { message: 'Choose from the list or "prefer not to say"' }),
  topics: topicList,
  meetingModes: meetingModeList,
  region: region.optional(),
  availability,
  recoveryStartedOn: isoDate,
  capacity: z.int({ message: 'Use a whole number' }).min(1, { message: 'Take at least one person' }).max(limits.capacityMax, { message: `At most ${limits.capacityMax} people at once` }),
  certified: z.boolean(),
  bio: freeText(limits.bio).optional(),
  consents: consents(options),
});

export function peerEnrollmentSchema(options: SchemaOptions) {
  return z.strictObject(peerFields(options)).superRefine((value, ctx) => crossFieldRules(value, ctx));
}
export type PeerEnrollment = z.output<ReturnType<typeof peerEnrollmentSchema>>;

export const pauseSchema = z.strictObject({
  until: isoDate,
  reason: z.enum(pauseReasons, { message: 'Choose a reason from the list' }),
});

/**
 * A change to a peer's profile: any subset of the enrollment fields, plus pause (with a return date), resume or
 * deactivation. The merged profile is validated again with the enrollment schema by the use case.
 */
export function peerUpdateSchema(options: SchemaOptions) {
  return z
    .strictObject({
      ...z.strictObject(peerFields(options)).partial().shape,
      active: z.boolean().optional(),
      pause: pauseSchema.optional(),
      resume: z.literal(true).optional(),
    })
    .superRefine((value, ctx) => {
      if (Object.keys(value).length === 0) {
        ctx.addIssue({ code: 'custom', path: [], message: 'Send at least one field to change', params: { code: 'empty_update' } });
      }
      if (value.pause && value.resume) {
        ctx.addIssue({ code: 'custom', path: ['resume'], message: 'Pause or resume, not both', params: { code: 'conflicting_fields' } });
      }
      if (value.pause && value.pause.until <= todayUtc()) {
        ctx.addIssue({ code: 'custom', path: ['pause', 'until'], message: 'The return date must be in the future', params: { code: 'date_not_in_future' } });
      }
      if (value.recoveryStartedOn !== undefined && value.recoveryStartedOn > todayUtc()) {
        ctx.addIssue({ code: 'custom', path: ['recoveryStartedOn'], message: 'This date cannot be in the future', params: { code: 'date_in_future' } });
      }
    });
}
export type PeerUpdate = z.output<ReturnType<typeof peerUpdateSchema>>;

/** E.164 form of a phone number the schema accepted. */
export function toE164(phone: string, defaultCountry: CountryCode): string {
  const parsed = parsePhoneNumberFromString(phone, defaultCountry);
  if (!parsed) throw new Error('toE164 called with a number the schema did not accept');
  return parsed.number;
}
