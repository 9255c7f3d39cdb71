/**
 * Email opt-outs made with the List-Unsubscribe link. Kept by the notifier because ContactDirectory has no
 * email-consent call yet; every planning and every send consults it.
 */
export interface EmailOptOuts {
  record(recipientId: string, deliveryId: string, at: Date): Promise<void>;
  has(recipientId: string): Promise<boolean>;
}
