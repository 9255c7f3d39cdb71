import type { mongo } from 'mongoose';
import type { EmailOptOuts } from '../ports/email-opt-outs.port.js';

interface EmailOptOutDocument {
  /** The recipient's pseudonymous id: one opt-out per person, whichever introduction it came from. */
  _id: string;
  deliveryId: string;
  at: Date;
}

export function mongoEmailOptOuts(db: mongo.Db, collectionName = 'email_opt_outs'): EmailOptOuts {
  const optOuts = db.collection<EmailOptOutDocument>(collectionName);
  return {
    async record(recipientId, deliveryId, at) {
      await optOuts.updateOne({ _id: recipientId }, { $setOnInsert: { _id: recipientId, deliveryId, at } }, { upsert: true }).catch((error: unknown) => {
        if ((error as { code?: unknown }).code !== 11000) throw error;
      });
    },
    async has(recipientId) {
      return (await optOuts.countDocuments({ _id: recipientId }, { limit: 1 })) > 0;
    },
  };
}
