import type { Contact, RecipientRole, TopicKey } from './delivery.types.js';
import type { IntroductionInput } from './introduction-templates.js';

/**
 * Applies the consent rules to what an introduction may say:
 * - the other person's first name only if they agreed to share it;
 * - shared topics to the peer only if the newcomer agreed (both on the match and in their consents), to the
 *   newcomer only if the peer agreed to share theirs;
 * - the newcomer's reach to the peer, only on channels the newcomer agreed to be contacted on.
 */
export function composeIntroduction(args: {
  readonly role: RecipientRole;
  readonly recipient: Contact;
  readonly counterpart: Contact | null;
  readonly sharedTopics: readonly TopicKey[];
  readonly shareTopicsConsented: boolean;
  readonly unsubscribeUrl: string;
}): IntroductionInput {
  const { role, recipient, counterpart } = args;
  const topicsAllowed =
    counterpart !== null && counterpart.consents.shareTopics && (role === 'newcomer' || args.shareTopicsConsented);
  const reach: { email?: string; phone?: string } = {};
  if (role === 'peer' && counterpart !== null) {
    if (counterpart.consents.email && counterpart.email !== '') reach.email = counterpart.email;
    if (counterpart.consents.sms && counterpart.phoneE164 !== '') reach.phone = counterpart.phoneE164;
  }
  return {
    role,
    locale: recipient.locale,
    recipientFirstName: recipient.firstName,
    counterpartFirstName: counterpart !== null && counterpart.consents.shareFirstName ? counterpart.firstName : null,
    counterpartReach: reach,
    sharedTopics: topicsAllowed ? args.sharedTopics : [],
    unsubscribeUrl: args.unsubscribeUrl,
  };
}
