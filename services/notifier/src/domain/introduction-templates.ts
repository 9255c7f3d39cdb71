import type { Locale, RecipientRole, TopicKey } from './delivery.types.js';
import { countSegments, toGsm7Lookalikes } from './sms-segments.js';
import { topicLabel } from './topic-labels.js';

/** Everything an introduction may say. Topics arrive already filtered by consent; an empty list names none. */
export interface IntroductionInput {
  readonly role: RecipientRole;
  readonly locale: Locale;
  readonly recipientFirstName: string;
  /** The other person's first name, or null when they did not agree to share it. */
  readonly counterpartFirstName: string | null;
  /** How the peer can reach the newcomer (given only to a peer, only for channels the newcomer agreed to). */
  readonly counterpartReach: { readonly email?: string; readonly phone?: string };
  readonly sharedTopics: readonly TopicKey[];
  readonly unsubscribeUrl: string;
}

export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export const MAX_SMS_SEGMENTS = 2;

/** A name typed by a person: one line, bounded, so that no template breaks. */
function cleanName(name: string | null): string | null {
  if (name === null) return null;
  const printable = Array.from(name, (char) => (char.charCodeAt(0) < 0x20 || char === '\u007f' || char === '<' || char === '>' ? ' ' : char)).join('');
  const cleaned = printable.replace(/\s+/g, ' ').trim().slice(0, 40);
  return cleaned === '' ? null : cleaned;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function listOf(items: readonly string[], locale: Locale): string {
  if (items.length <= 1) return items.join('');
  const last = items[items.length - 1] ?? '';
  return `${items.slice(0, -1).join(', ')} ${locale === 'es' ? 'y' : 'and'} ${last}`;
}

const copy = {
  en: {
    subjectPeer: 'A new Kindred introduction',
    subjectNewcomer: 'Your Kindred introduction',
    hello: (name: string | null) => (name ? `Hi ${name},` : 'Hi,'),
    someoneNew: 'someone new to peer support',
    aPeer: 'a peer supporter',
    peerIntro: (who: string) => `We'd like to introduce you to ${who}, who is new to peer support and would like to talk with someone who has been there.`,
    peerTopics: (list: string) => `You both have lived experience of ${list}.`,
    peerReachTitle: 'How to reach them:',
    email: 'Email',
    phone: 'Phone or text',
    peerNext: 'Please get in touch within the next two days. If you cannot take this introduction, let your coordinator know.',
    newcomerIntro: (who: string) => `We have found a peer supporter for you: ${who}.`,
    newcomerTopics: (list: string) => `You share lived experience of ${list}.`,
    newcomerNext: 'What happens next: your peer supporter will contact you within two days, using the contact details you gave us. You do not need to do anything now.',
    crisis: 'If you are in crisis, call or text 988, or your local emergency number.',
    signature: 'The Kindred team',
    footer: 'You receive this because you signed up with Kindred. To stop these emails:',
    smsPeer: (who: string, reach: string) => `Kindred: meet ${who}, new to peer support.${reach} Please get in touch within 2 days. Reply STOP to opt out.`,
    smsPeerReach: (reach: string) => ` Reach them: ${reach}.`,
    smsNewcomer: (hello: string, who: string) => `Kindred: ${hello} we found a peer supporter for you: ${who}. They will contact you within 2 days. Reply STOP to opt out.`,
    smsHello: (name: string | null) => (name ? `Hi ${name},` : 'Hi,'),
  },
  es: {
    subjectPeer: 'Una nueva presentación de Kindred',
    subjectNewcomer: 'Tu presentación de Kindred',
    hello: (name: string | null) => (name ? `Hola, ${name}:` : 'Hola:'),
    someoneNew: 'una persona que empieza en el apoyo entre pares',
    aPeer: 'una persona de apoyo entre pares',
    peerIntro: (who: string) => `Queremos presentarte a ${who}, que empieza en el apoyo entre pares y quiere hablar con alguien que ha pasado por lo mismo.`,
    peerTopics: (list: string) => `Ambas personas tienen experiencia vivida con ${list}.`,
    peerReachTitle: 'Cómo contactar:',
    email: 'Correo',
    phone: 'Teléfono o SMS',
    peerNext: 'Ponte en contacto en los próximos dos días. Si no puedes aceptar esta presentación, avisa a tu coordinador.',
    newcomerIntro: (who: string) => `Hemos encontrado una persona de apoyo entre pares para ti: ${who}.`,
    newcomerTopics: (list: string) => `Comparten experiencia vivida con ${list}.`,
    newcomerNext: 'Qué pasa ahora: tu persona de apoyo se pondrá en contacto contigo en los próximos dos días con los datos que nos diste. No tienes que hacer nada por ahora.',
    crisis: 'Si estás en crisis, llama o envía un mensaje al 988, o a tu número local de emergencias.',
    signature: 'El equipo de Kindred',
    footer: 'Recibes este mensaje porque te registraste en Kindred. Para dejar de recibir estos correos:',
    smsPeer: (who: string, reach: string) => `Kindred: te presentamos a ${who}, que empieza en el apoyo entre pares.${reach} Contacta en 2 días. Responde STOP para darte de baja.`,
    smsPeerReach: (reach: string) => ` Contacto: ${reach}.`,
    smsNewcomer: (hello: string, who: string) => `Kindred: ${hello} tenemos una persona de apoyo para ti: ${who}. Te contactará en 2 días. Responde STOP para darte de baja.`,
    smsHello: (name: string | null) => (name ? `Hola, ${name}.` : 'Hola.'),
  },
} as const;

function topicsText(topics: readonly TopicKey[], locale: Locale): string | null {
  const labels = topics.map((topic) => topicLabel(topic, locale)).filter((label): label is string => label !== undefined);
  return labels.length === 0 ? null : listOf(labels, locale);
}

/** Subject lines are fixed per role and locale: they never carry a name or a topic. */
export function renderIntroductionEmail(input: IntroductionInput): RenderedEmail {
  const t = copy[input.locale];
  const counterpart = cleanName(input.counterpartFirstName);
  const topics = topicsText(input.sharedTopics, input.locale);
  const paragraphs: string[][] = [];
  let subject: string;
  if (input.role === 'peer') {
    subject = t.subjectPeer;
    paragraphs.push([t.peerIntro(counterpart ?? t.someoneNew)]);
    if (topics) paragraphs.push([t.peerTopics(topics)]);
    const reach: string[] = [];
    if (input.counterpartReach.email) reach.push(`${t.email}: ${input.counterpartReach.email}`);
    if (input.counterpartReach.phone) reach.push(`${t.phone}: ${input.counterpartReach.phone}`);
    if (reach.length > 0) paragraphs.push([t.peerReachTitle, ...reach.map((line) => `- ${line}`)]);
    paragraphs.push([t.peerNext]);
  } else {
    subject = t.subjectNewcomer;
    paragraphs.push([t.newcomerIntro(counterpart ?? t.aPeer)]);
    if (topics) paragraphs.push([t.newcomerTopics(topics)]);
    paragraphs.push([t.newcomerNext]);
    paragraphs.push([t.crisis]);
  }
  const hello = t.hello(cleanName(input.recipientFirstName));
  const text = [hello, ...paragraphs.map((lines) => lines.join('\n')), t.signature, `${t.footer} ${input.unsubscribeUrl}`].join('\n\n') + '\n';
  const htmlParagraphs = paragraphs.map((lines) => `<p>${lines.map(escapeHtml).join('<br>')}</p>`);
  const html =
    `<!doctype html><html lang="${input.locale}"><body>` +
    `<p>${escapeHtml(hello)}</p>${htmlParagraphs.join('')}<p>${escapeHtml(t.signature)}</p>` +
    `<p style="font-size:small">${escapeHtml(t.footer)} <a href="${escapeHtml(input.unsubscribeUrl)}">${escapeHtml(input.unsubscribeUrl)}</a></p>` +
    `</body></html>`;
  return { subject, text, html };
}

function fits(body: string): boolean {
  return countSegments(body).segments <= MAX_SMS_SEGMENTS;
}

/**
 * The SMS version: no topics ever, and at most two segments. Longer variants are tried first; each is also tried
 * with GSM-7 look-alikes (which doubles the room), and the last resort names nobody and always fits.
 */
export function renderIntroductionSms(input: IntroductionInput): string {
  const t = copy[input.locale];
  const counterpart = cleanName(input.counterpartFirstName);
  const variants: string[] = [];
  if (input.role === 'peer') {
    const reachParts = [input.counterpartReach.phone, input.counterpartReach.email].filter((part): part is string => Boolean(part));
    const who = counterpart ?? t.someoneNew;
    if (reachParts.length > 0) variants.push(t.smsPeer(who, t.smsPeerReach(reachParts.join(' / '))));
    if (reachParts.length > 1) variants.push(t.smsPeer(who, t.smsPeerReach(reachParts[0] ?? '')));
    variants.push(t.smsPeer(who, ''), t.smsPeer(t.someoneNew, ''));
  } else {
    const hello = t.smsHello(cleanName(input.recipientFirstName));
    variants.push(t.smsNewcomer(hello, counterpart ?? t.aPeer), t.smsNewcomer(t.smsHello(null), counterpart ?? t.aPeer));
    variants.push(t.smsNewcomer(t.smsHello(null), t.aPeer));
  }
  for (const variant of variants) {
    if (fits(variant)) return variant;
    const lookalike = toGsm7Lookalikes(variant);
    if (fits(lookalike)) return lookalike;
  }
  // Unreachable with the copy above (the last variant has no user data), kept as a hard guarantee.
  return toGsm7Lookalikes(variants[variants.length - 1] ?? '').slice(0, 300);
}
