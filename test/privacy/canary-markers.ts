import { randomBytes, randomInt } from 'node:crypto';

/**
 * Unique marker strings for every PII field of one canary run. Each text marker is `cnry<run token><field code>`, so
 * one case-insensitive search for `cnry<run token>` finds any of them (and the code says which field leaked). A phone
 * marker is a valid US number whose ten digits are random; it is found with or without separators between the digits
 * (E.164, "(201) 555-0123", a URL-encoded form parameter).
 */
export class CanaryMarkers {
  readonly token: string;
  private readonly fields = new Map<string, string>();
  private readonly phones = new Map<string, string>();

  constructor(token: string = randomBytes(5).toString('hex')) {
    if (!/^[0-9a-f]{6,}$/.test(token)) throw new Error(`a marker token is at least six lower-case hex digits (got "${token}")`);
    this.token = token;
  }

  /** A text marker for `field` (letters and digits only, valid in a name, a free-text field or an email local part). */
  text(field: string): string {
    const code = `x${this.fields.size + this.phones.size}`;
    const marker = `cnry${this.token}${code}`;
    this.fields.set(marker, field);
    return marker;
  }

  /** An email address whose local part is a marker. */
  email(field: string): string {
    return `${this.text(field)}@example.org`;
  }

  /** A valid US mobile-format number (+1 201 NXX XXXX) whose ten digits mark `field`. */
  phone(field: string): string {
    for (;;) {
      const exchange = String(randomInt(200, 1000));
      const line = String(randomInt(0, 10_000)).padStart(4, '0');
      const digits = `201${exchange}${line}`;
      // 555 is kept for fictional numbers elsewhere in the tests; any other exchange is fine here.
      if (exchange === '555' || this.phones.has(digits)) continue;
      this.phones.set(digits, field);
      return `+1 201 ${exchange} ${line}`;
    }
  }

  /** The field a marker (as found, any case) or a phone's digits belong to. */
  fieldOf(found: string): string {
    const lower = found.toLowerCase();
    const text = this.fields.get(lower);
    if (text !== undefined) return text;
    const digits = lower.replace(/\D/g, '');
    for (const [phone, field] of this.phones) if (digits.endsWith(phone)) return field;
    return `unknown marker ${found}`;
  }

  /** Every marker as one global, case-insensitive expression. */
  pattern(): RegExp {
    const separator = '(?:[\\s().+-]|%20){0,3}';
    const phones = [...this.phones.keys()].map((digits) => [...digits].join(separator));
    return new RegExp([`cnry${this.token}[a-z0-9]*`, ...phones].join('|'), 'gi');
  }

  get count(): number {
    return this.fields.size + this.phones.size;
  }
}
