import { isIP } from 'node:net';
import { z } from 'zod';

/** Thrown at start when the environment is wrong; its message names every offending variable. */
export class ConfigError extends Error {
  readonly variables: readonly string[];

  constructor(service: string, problems: readonly { variable: string; problem: string }[]) {
    super(
      `${service}: invalid configuration\n` +
        problems.map((p) => `  - ${p.variable}: ${p.problem}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.variables = problems.map((p) => p.variable);
  }
}

/**
 * Parses the environment once, at start, into a frozen typed object. Nothing else reads process.env.
 * The schema's keys are the variable names.
 */
export function loadConfig<S extends z.ZodObject>(
  service: string,
  schema: S,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Readonly<z.output<S>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => ({
      variable: issue.path.length > 0 ? issue.path.map(String).join('.') : '(environment)',
      problem:
        issue.code === 'invalid_type' && issue.path.length === 1 && env[String(issue.path[0])] === undefined
          ? 'is required but not set'
          : issue.message,
    }));
    throw new ConfigError(service, problems);
  }
  return Object.freeze(result.data);
}

/** Reusable variable shapes, each with a message a person can act on. */
export const env = {
  port: (fallback: number) =>
    z.coerce
      .number({ message: 'must be a port number' })
      .int({ message: 'must be a whole number' })
      .min(0, { message: 'must be between 0 and 65535' })
      .max(65535, { message: 'must be between 0 and 65535' })
      .default(fallback),
  url: (protocols: readonly string[]) =>
    z.string({ message: 'is required but not set' }).refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      { message: `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}` },
    ),
  brokers: () =>
    z
      .string({ message: 'is required but not set (comma-separated host:port list)' })
      .transform((value) => value.split(',').map((b) => b.trim()).filter((b) => b.length > 0))
      .refine((list) => list.length > 0 && list.every((b) => /^[^\s:]+:\d{1,5}$/.test(b)), {
        message: 'must be a comma-separated list of host:port',
      }),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  secret: (minLength: number) =>
    z.string({ message: 'is required but not set' }).min(minLength, { message: `must be at least ${minLength} characters` }),
  /** A 32-byte key given as 64 hex characters or base64. */
  key256: () =>
    z
      .string({ message: 'is required but not set (32 bytes as hex or base64)' })
      .transform((value, ctx) => {
        const bytes = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
        if (bytes.length !== 32) {
          ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, as 64 hex characters or base64' });
          return z.NEVER;
        }
        return bytes;
      }),
  positiveInt: (fallback: number) =>
    z.coerce.number({ message: 'must be a number' }).int({ message: 'must be a whole number' }).positive({ message: 'must be positive' }).default(fallback),
  /**
   * Which proxies to believe about the client's address (X-Forwarded-For), as Express's `trust proxy`: `false`
   * (default: the socket's peer is the client), a hop count such as `1`, or a comma list of addresses, subnets and
   * the names loopback, linklocal, uniquelocal. `true` is refused: it trusts every hop, so a client could name any
   * address it likes and escape per-address limits.
   */
  trustProxy: () =>
    z
      .string()
      .default('false')
      .transform((value, ctx): false | number | string[] => {
        const text = value.trim();
        if (text === 'false' || text === '' || text === '0') return false;
        if (/^\d+$/.test(text) && Number(text) <= 10) return Number(text);
        const entries = text.split(',').map((entry) => entry.trim());
        const bad = entries.find((entry) => !isTrustedProxyEntry(entry));
        if (bad !== undefined) {
          ctx.addIssue({
            code: 'custom',
            message:
              bad === 'true'
                ? 'true would trust every hop, so any client could choose its own address; give the number of proxies in front (e.g. 1) or their addresses'
                : `"${bad}" is not a hop count (0-10), an address or subnet, or one of loopback, linklocal, uniquelocal`,
          });
          return z.NEVER;
        }
        return entries;
      }),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1'),
};

function isTrustedProxyEntry(entry: string): boolean {
  if (entry === 'loopback' || entry === 'linklocal' || entry === 'uniquelocal') return true;
  const [address, bits, ...rest] = entry.split('/');
  if (address === undefined || rest.length > 0 || isIP(address) === 0) return false;
  if (bits === undefined) return true;
  return /^\d+$/.test(bits) && Number(bits) <= (isIP(address) === 4 ? 32 : 128);
}
