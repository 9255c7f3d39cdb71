// Plain, kind sentences for every factor, in English and Spanish.
import { FACTOR_NAMES, type EngineConfig, type FactorName } from './engine-config.js';
import {
  FACTOR_COUNT,
  MS_PER_DAY,
  MS_PER_MONTH,
  ageClosenessValue,
  genderPreferenceValue,
  overlapMinutes,
  timeZoneDistanceHours,
} from './pair-evaluation.js';
import type { EncodedNewcomer, PreparedPeers } from './population.js';
import type { Locale } from './profiles.types.js';

export interface FactorContribution {
  readonly factor: FactorName;
  /** The factor's value, 0–1. */
  readonly value: number;
  readonly weight: number;
  /** weight × value: this factor's share of the score. */
  readonly contribution: number;
  readonly sentence: string;
}

/** Labels for the intake vocabulary (the contracts' Topic enum, lower-case without the prefix). */
const TOPIC_LABELS: Readonly<Record<string, Readonly<Record<Locale, string>>>> = {
  depression: { en: 'depression', es: 'depresión' },
  anxiety: { en: 'anxiety', es: 'ansiedad' },
  bipolar: { en: 'bipolar disorder', es: 'trastorno bipolar' },
  psychosis: { en: 'psychosis', es: 'psicosis' },
  trauma_ptsd: { en: 'trauma and PTSD', es: 'trauma y estrés postraumático' },
  eating_disorder: { en: 'an eating disorder', es: 'un trastorno de la conducta alimentaria' },
  substance_use: { en: 'substance use', es: 'consumo de sustancias' },
  grief: { en: 'grief', es: 'duelo' },
  self_harm: { en: 'self-harm', es: 'autolesiones' },
  postpartum: { en: 'postpartum mental health', es: 'salud mental posparto' },
  identity_stress: { en: 'identity-related stress', es: 'estrés relacionado con la identidad' },
  ocd: { en: 'OCD', es: 'TOC' },
  adhd: { en: 'ADHD', es: 'TDAH' },
  autism: { en: 'autism', es: 'autismo' },
  chronic_illness: { en: 'chronic illness', es: 'una enfermedad crónica' },
  suicide_loss: { en: 'losing someone to suicide', es: 'la pérdida de alguien por suicidio' },
  caregiver_stress: { en: 'caring for a loved one', es: 'cuidar a un ser querido' },
  loneliness: { en: 'loneliness', es: 'soledad' },
  suicidal_thoughts: { en: 'suicidal thoughts', es: 'pensamientos suicidas' },
  gambling: { en: 'gambling', es: 'el juego' },
  personality_disorder: { en: 'a personality disorder', es: 'un trastorno de la personalidad' },
  pregnancy_loss: { en: 'pregnancy loss', es: 'la pérdida de un embarazo' },
  domestic_abuse: { en: 'domestic abuse', es: 'violencia doméstica' },
  military_service: { en: 'military service', es: 'el servicio militar' },
};

/** A topic's words for a sentence; an unknown code falls back to the code with spaces. */
export function topicLabel(code: string, locale: Locale): string {
  return TOPIC_LABELS[code]?.[locale] ?? code.replace(/_/g, ' ');
}

/** The topic codes that have words of their own in every locale. */
export const LABELLED_TOPICS: readonly string[] = Object.keys(TOPIC_LABELS);

function joinList(items: readonly string[], locale: Locale): string {
  if (items.length <= 1) return items.join('');
  const and = locale === 'es' ? 'y' : 'and';
  return `${items.slice(0, -1).join(', ')} ${and} ${items[items.length - 1]!}`;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function duration(months: number, locale: Locale): string {
  const es = locale === 'es';
  if (months >= 12) {
    const years = Math.round(months / 12);
    return es ? plural(years, 'año', 'años') : plural(years, 'year', 'years');
  }
  const whole = Math.max(1, Math.round(months));
  return es ? plural(whole, 'mes', 'meses') : plural(whole, 'month', 'months');
}

function hours(value: number, locale: Locale): string {
  const rounded = Math.round(value * 4) / 4;
  return locale === 'es' ? plural(rounded, 'hora', 'horas') : plural(rounded, 'hour', 'hours');
}

function sharedTopics(n: EncodedNewcomer, peers: PreparedPeers, p: number): string[] {
  const names: string[] = [];
  for (let w = 0; w < peers.topicWords; w++) {
    let x = n.topicMask[w]! & peers.topicMask[p * peers.topicWords + w]!;
    while (x !== 0) {
      const low = x & -x;
      names.push(peers.topicNames[w * 32 + 31 - Math.clz32(low)]!);
      x ^= low;
    }
  }
  return names.sort();
}

function sentenceFor(factor: FactorName, n: EncodedNewcomer, peers: PreparedPeers, p: number, nowMs: number, locale: Locale): string {
  const es = locale === 'es';
  switch (factor) {
    case 'sharedExperience': {
      const topics = joinList(sharedTopics(n, peers, p).map((t) => topicLabel(t, locale)), locale);
      return es ? `Ambas personas tienen experiencia vivida de ${topics}.` : `Both have lived experience of ${topics}.`;
    }
    case 'recoveryGap': {
      const gap = duration((n.recoveryStartMs - peers.recoveryStartMs[p]!) / MS_PER_MONTH, locale);
      return es ? `La persona de apoyo lleva ${gap} más de camino en su recuperación.` : `Peer is ${gap} further along in recovery.`;
    }
    case 'availability': {
      const overlap = overlapMinutes(n, peers, p) / 60;
      if (overlap === 0) return es ? 'Sus horarios semanales todavía no coinciden.' : 'Their weekly availability does not overlap yet.';
      return es
        ? `Sus horarios coinciden ${hours(overlap, locale)} por semana.`
        : `Their weekly availability overlaps by ${hours(overlap, locale)}.`;
    }
    case 'timeZone': {
      const distance = timeZoneDistanceHours(n.utcOffset, peers.utcOffset[p]!);
      if (distance === 0) return es ? 'Están en la misma zona horaria.' : 'They are in the same time zone.';
      return es ? `Sus zonas horarias tienen ${hours(distance, locale)} de diferencia.` : `Their time zones are ${hours(distance, locale)} apart.`;
    }
    case 'preferences': {
      const parts: string[] = [];
      const gender = genderPreferenceValue(n, peers, p);
      if (gender === 1) parts.push(es ? 'la persona de apoyo es del género preferido' : 'the peer is of the preferred gender');
      if (gender === 0) parts.push(es ? 'la persona de apoyo no es del género preferido' : 'the peer is not of the preferred gender');
      const age = ageClosenessValue(n, peers, p);
      if (peers.ageBand[p]! < 0 || (n.ageBandPreferenceMask === 0 && n.ageBand < 0)) {
        parts.push(es ? 'no se conoce la diferencia de edad' : 'their age difference is not known');
      } else if (age === 1) {
        parts.push(es ? 'tienen una edad cercana' : 'they are close in age');
      } else if (age >= 0.6) {
        parts.push(es ? 'tienen una edad parecida' : 'they are fairly close in age');
      } else {
        parts.push(es ? 'tienen edades bastante distintas' : 'their ages are quite different');
      }
      const text = joinList(parts, locale);
      return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
    }
    case 'load': {
      const load = peers.load[p]!;
      const capacity = peers.capacity[p]!;
      if (load === 0) return es ? 'La persona de apoyo no acompaña a nadie ahora mismo.' : 'Peer is not supporting anyone right now.';
      return es
        ? `La persona de apoyo acompaña ahora a ${load} de ${capacity} personas.`
        : `Peer is supporting ${load} of ${capacity} people right now.`;
    }
    case 'waiting': {
      const days = Math.floor(Math.max(0, nowMs - n.waitingSinceMs) / MS_PER_DAY);
      if (days === 0) return es ? 'La persona recién llegada empezó a esperar hoy.' : 'Newcomer started waiting today.';
      return es ? `La persona recién llegada lleva ${plural(days, 'día', 'días')} esperando.` : `Newcomer has waited ${plural(days, 'day', 'days')}.`;
    }
  }
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

export function explainFactors(
  n: EncodedNewcomer,
  peers: PreparedPeers,
  p: number,
  values: Float64Array,
  nowMs: number,
  config: EngineConfig,
  locale: Locale,
): FactorContribution[] {
  const out: FactorContribution[] = [];
  for (let f = 0; f < FACTOR_COUNT; f++) {
    const factor = FACTOR_NAMES[f]!;
    const value = values[f]!;
    const weight = config.weights[factor];
    out.push({ factor, value: round6(value), weight, contribution: round6(weight * value), sentence: sentenceFor(factor, n, peers, p, nowMs, locale) });
  }
  return out;
}
