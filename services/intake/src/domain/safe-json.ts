/**
 * Reads a request body before any schema sees it. `express.json()` would silently replace invalid UTF-8 with
 * U+FFFD and let `__proto__` keys through to code that merges objects, so the raw bytes are decoded strictly here
 * and the parsed tree is checked for keys that are never legitimate in Kindred's payloads.
 */
import type { FieldError } from './validation.js';

const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);
const maxDepth = 8;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export type SafeJsonResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly errors: readonly FieldError[] };

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function parseSafeJson(bytes: Uint8Array): SafeJsonResult {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { ok: false, errors: [{ field: '', code: 'invalid_utf8', message: 'The body is not valid UTF-8' }] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, errors: [{ field: '', code: 'invalid_json', message: 'The body is not valid JSON' }] };
  }
  const errors = inspectTree(value);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}

/** Forbidden keys, query-operator keys (`$gt`), lone surrogates and excessive nesting, each at its path. */
export function inspectTree(root: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const visit = (node: unknown, path: string, depth: number) => {
    if (typeof node === 'string') {
      if (loneSurrogate.test(node)) errors.push({ field: path, code: 'invalid_unicode', message: 'The text contains invalid Unicode' });
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (depth > maxDepth) {
      errors.push({ field: path, code: 'too_deep', message: `Nesting deeper than ${maxDepth} levels is not accepted` });
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, join(path, String(index)), depth + 1));
      return;
    }
    for (const key of Object.keys(node)) {
      const at = join(path, key);
      if (forbiddenKeys.has(key)) {
        errors.push({ field: at, code: 'forbidden_key', message: `"${key}" is not an accepted field name` });
        continue;
      }
      if (key.startsWith('$')) {
        errors.push({ field: path === '' ? key : path, code: 'operator_not_allowed', message: 'Query operators are not accepted; send a plain value' });
        continue;
      }
      if (loneSurrogate.test(key)) {
        errors.push({ field: path, code: 'invalid_unicode', message: 'A field name contains invalid Unicode' });
        continue;
      }
      visit((node as Record<string, unknown>)[key], at, depth + 1);
    }
  };
  visit(root, '', 0);
  return errors;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
