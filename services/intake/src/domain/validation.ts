import type { z } from 'zod';

/** One invalid field: `field` is a dotted path into the payload ("contact.email", "topics.2"); '' is the whole body. */
export interface FieldError {
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

export type Validated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly FieldError[] };

export function pathToField(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join('.');
}

/** Zod issues as field errors: one per invalid field, each with a stable code and a message a person can act on. */
export function toFieldErrors(error: z.ZodError): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  const push = (e: FieldError) => {
    const key = `${e.field}\u0000${e.code}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(e);
  };
  for (const issue of error.issues) {
    const field = pathToField(issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          push({ field: field === '' ? key : `${field}.${key}`, code: 'unknown_field', message: 'This field is not part of the form' });
        }
        break;
      case 'invalid_type':
        if (issue.input === undefined) push({ field, code: 'required', message: 'This field is required' });
        else push({ field, code: 'invalid_type', message: `Expected ${describeExpected(issue.expected)}` });
        break;
      case 'too_big':
        push({ field, code: issue.origin === 'string' || issue.origin === 'array' ? 'too_long' : 'too_large', message: issue.message });
        break;
      case 'too_small':
        push({ field, code: issue.origin === 'string' || issue.origin === 'array' ? 'too_short' : 'too_small', message: issue.message });
        break;
      case 'invalid_value':
        push({ field, code: 'not_allowed', message: issue.message });
        break;
      case 'invalid_format':
        push({ field, code: 'invalid_format', message: issue.message });
        break;
      case 'custom': {
        const code = typeof issue.params?.['code'] === 'string' ? issue.params['code'] : 'invalid';
        push({ field, code, message: issue.message });
        break;
      }
      case 'not_multiple_of':
      case 'invalid_union':
      case 'invalid_key':
      case 'invalid_element':
        push({ field, code: 'invalid', message: issue.message });
        break;
    }
  }
  return out;
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'string':
      return 'text';
    case 'int':
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
      return 'an object';
    default:
      return expected;
  }
}

export function validate<S extends z.ZodType>(schema: S, input: unknown): Validated<z.output<S>> {
  // reportInput tells a missing field (input undefined) from a wrong type; the input never leaves this function.
  const result = schema.safeParse(input, { reportInput: true });
  return result.success ? { ok: true, value: result.data } : { ok: false, errors: toFieldErrors(result.error) };
}
