/** Bad input to the sandbox's own API; the HTTP edge turns it into a 400 with this code and message. */
export class BadRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BadRequestError';
  }
}
