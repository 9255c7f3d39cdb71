/** An email ready to go; `messageId` is derived from the delivery id so that a resend can be recognised. */
export interface OutgoingEmail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly messageId: string;
  readonly unsubscribeUrl: string;
}

export interface EmailSender {
  /** Resolves with the provider's id once the SMTP server accepted the message; throws the transport's error. */
  send(email: OutgoingEmail): Promise<{ providerMessageId: string }>;
  close(): Promise<void>;
}

export interface OutgoingSms {
  readonly to: string;
  readonly body: string;
  /** Where the provider reports sent/delivered/undelivered/failed. */
  readonly statusCallbackUrl: string;
}

export interface SmsSender {
  /** Resolves with the provider's message SID once accepted; throws the provider's error (status, code). */
  send(sms: OutgoingSms): Promise<{ providerMessageId: string }>;
}
