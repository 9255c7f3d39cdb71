import type { Locale } from './profiles.types.js';

/** Stable codes for why a pair was not proposed (or a newcomer not matched). */
export const REASON_CODES = [
  'MATCH.NEWCOMER_URGENT',
  'MATCH.PEER_INACTIVE',
  'MATCH.PEER_NOT_CONSENTED',
  'MATCH.PEER_PAUSED',
  'MATCH.PEER_AT_CAPACITY',
  'MATCH.NO_SHARED_LANGUAGE',
  'MATCH.GENDER_PREFERENCE_NOT_MET',
  'MATCH.AGE_BAND_PREFERENCE_NOT_MET',
  'MATCH.NO_SHARED_MEETING_MODE',
  'MATCH.IN_PERSON_REGION_MISMATCH',
  'MATCH.RECOVERY_GAP_TOO_SMALL',
  'MATCH.NO_SHARED_TOPIC',
  'MATCH.PREVIOUSLY_DECLINED',
  'MATCH.NO_FEASIBLE_PEER',
  'MATCH.PEERS_TAKEN_IN_BATCH',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export interface Reason {
  readonly code: ReasonCode;
  readonly sentence: string;
}

const SENTENCES: Readonly<Record<Locale, Readonly<Record<ReasonCode, string>>>> = {
  en: {
    'MATCH.NEWCOMER_URGENT': 'This person may be at immediate risk. A coordinator reaches out directly; they are not matched with a peer.',
    'MATCH.PEER_INACTIVE': 'The peer is not active at the moment.',
    'MATCH.PEER_NOT_CONSENTED': 'The peer has not agreed to be matched yet.',
    'MATCH.PEER_PAUSED': 'The peer is taking a break right now.',
    'MATCH.PEER_AT_CAPACITY': 'The peer is already supporting as many people as they offered to.',
    'MATCH.NO_SHARED_LANGUAGE': 'They do not share a language.',
    'MATCH.GENDER_PREFERENCE_NOT_MET': 'The peer is not of the gender the newcomer asked for.',
    'MATCH.AGE_BAND_PREFERENCE_NOT_MET': 'The peer is not in the age range the newcomer asked for.',
    'MATCH.NO_SHARED_MEETING_MODE': 'They have no way of meeting in common.',
    'MATCH.IN_PERSON_REGION_MISMATCH': 'They could only meet in person, and they live in different regions.',
    'MATCH.RECOVERY_GAP_TOO_SMALL': 'The peer is not far enough along in recovery yet to support this person.',
    'MATCH.NO_SHARED_TOPIC': 'They do not share a lived experience.',
    'MATCH.PREVIOUSLY_DECLINED': 'This pairing was declined before.',
    'MATCH.NO_FEASIBLE_PEER': 'No peer meets every safety and fit rule right now.',
    'MATCH.PEERS_TAKEN_IN_BATCH': 'The suitable peers were matched with other newcomers this round; they will be tried again soon.',
  },
  es: {
    'MATCH.NEWCOMER_URGENT': 'Esta persona podría estar en riesgo inmediato. Un coordinador se pone en contacto directamente; no se le asigna una persona de apoyo.',
    'MATCH.PEER_INACTIVE': 'La persona de apoyo no está activa en este momento.',
    'MATCH.PEER_NOT_CONSENTED': 'La persona de apoyo todavía no ha aceptado ser asignada.',
    'MATCH.PEER_PAUSED': 'La persona de apoyo se está tomando un descanso ahora.',
    'MATCH.PEER_AT_CAPACITY': 'La persona de apoyo ya acompaña a todas las personas que ofreció acompañar.',
    'MATCH.NO_SHARED_LANGUAGE': 'No comparten un idioma.',
    'MATCH.GENDER_PREFERENCE_NOT_MET': 'La persona de apoyo no es del género que se pidió.',
    'MATCH.AGE_BAND_PREFERENCE_NOT_MET': 'La persona de apoyo no está en el rango de edad que se pidió.',
    'MATCH.NO_SHARED_MEETING_MODE': 'No tienen una forma de reunirse en común.',
    'MATCH.IN_PERSON_REGION_MISMATCH': 'Solo podrían reunirse en persona y viven en regiones distintas.',
    'MATCH.RECOVERY_GAP_TOO_SMALL': 'La persona de apoyo aún no lleva suficiente tiempo en recuperación para acompañar a esta persona.',
    'MATCH.NO_SHARED_TOPIC': 'No comparten una experiencia vivida.',
    'MATCH.PREVIOUSLY_DECLINED': 'Esta pareja ya se rechazó antes.',
    'MATCH.NO_FEASIBLE_PEER': 'Ahora mismo ninguna persona de apoyo cumple todas las reglas de seguridad y afinidad.',
    'MATCH.PEERS_TAKEN_IN_BATCH': 'Las personas de apoyo adecuadas se asignaron a otras personas en esta ronda; se volverá a intentar pronto.',
  },
};

const REASONS: Readonly<Record<Locale, Readonly<Record<ReasonCode, Reason>>>> = {
  en: buildReasons('en'),
  es: buildReasons('es'),
};

function buildReasons(locale: Locale): Record<ReasonCode, Reason> {
  const out = {} as Record<ReasonCode, Reason>;
  for (const code of REASON_CODES) out[code] = Object.freeze({ code, sentence: SENTENCES[locale][code] });
  return out;
}

/** Shared frozen objects: explaining 100k skipped peers allocates no new reason objects. */
export function reason(code: ReasonCode, locale: Locale): Reason {
  return REASONS[locale][code];
}
