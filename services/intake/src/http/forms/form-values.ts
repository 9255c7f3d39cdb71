/** A submitted form: each field name with every value it was sent with, in order. */
export type FormValues = ReadonlyMap<string, readonly string[]>;

export type FormParseResult = { ok: true; values: FormValues } | { ok: false; field: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads an application/x-www-form-urlencoded body. Percent-decoding turns invalid UTF-8 into U+FFFD silently,
 * so a replacement character in any name or value is treated as invalid input rather than stored.
 */
export function parseFormBody(bytes: Uint8Array): FormParseResult {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { ok: false, field: '' };
  }
  const values = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (name.includes('\uFFFD')) return { ok: false, field: '' };
    if (value.includes('\uFFFD')) return { ok: false, field: name };
    const list = values.get(name) ?? [];
    list.push(value);
    values.set(name, list);
  }
  return { ok: true, values };
}

export function one(values: FormValues, name: string): string | undefined {
  const value = values.get(name)?.[0]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function many(values: FormValues, name: string): string[] {
  return (values.get(name) ?? []).map((v) => v.trim()).filter((v) => v !== '');
}

export function checked(values: FormValues, name: string): boolean {
  return values.has(name);
}

export function yesNo(values: FormValues, name: string): boolean | undefined {
  const value = one(values, name);
  return value === 'yes' ? true : value === 'no' ? false : undefined;
}
