import type { Locale, TopicKey } from './delivery.types.js';

/**
 * How a shared lived-experience topic reads in an email body. These words name diagnoses: they appear only in
 * email bodies, only with consent, and never in a subject line or an SMS.
 */
export const TOPIC_LABELS: Readonly<Record<TopicKey, Readonly<Record<Locale, string>>>> = {
  depression: { en: 'depression', es: 'depresión' },
  anxiety: { en: 'anxiety', es: 'ansiedad' },
  bipolar: { en: 'bipolar disorder', es: 'trastorno bipolar' },
  psychosis: { en: 'psychosis', es: 'psicosis' },
  trauma_ptsd: { en: 'trauma and PTSD', es: 'trauma y TEPT' },
  eating_disorder: { en: 'eating disorders', es: 'trastornos de la conducta alimentaria' },
  substance_use: { en: 'substance use', es: 'consumo de sustancias' },
  grief: { en: 'grief', es: 'duelo' },
  self_harm: { en: 'self-harm', es: 'autolesiones' },
  postpartum: { en: 'postpartum mental health', es: 'salud mental posparto' },
  identity_stress: { en: 'identity-related stress', es: 'estrés relacionado con la identidad' },
  ocd: { en: 'OCD', es: 'TOC' },
  adhd: { en: 'ADHD', es: 'TDAH' },
  autism: { en: 'autism', es: 'autismo' },
  chronic_illness: { en: 'chronic illness', es: 'enfermedad crónica' },
  suicide_loss: { en: 'losing someone to suicide', es: 'la pérdida de alguien por suicidio' },
  caregiver_stress: { en: 'caregiver stress', es: 'el estrés de cuidar a otra persona' },
  loneliness: { en: 'loneliness', es: 'soledad' },
  suicidal_thoughts: { en: 'suicidal thoughts', es: 'pensamientos suicidas' },
  gambling: { en: 'gambling', es: 'juego compulsivo' },
  personality_disorder: { en: 'personality disorders', es: 'trastornos de la personalidad' },
  pregnancy_loss: { en: 'pregnancy loss', es: 'pérdida gestacional' },
  domestic_abuse: { en: 'domestic abuse', es: 'violencia doméstica' },
  military_service: { en: 'military service', es: 'servicio militar' },
};

export function topicLabel(topic: TopicKey, locale: Locale): string | undefined {
  return TOPIC_LABELS[topic]?.[locale];
}
