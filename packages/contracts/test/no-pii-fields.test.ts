// Events and the console's API carry pseudonymous ids and matching attributes only (DESIGN.md,
// "Contracts"). This walks the compiled descriptors, so a field added anywhere, nested or not, is seen.
import { beforeAll, describe, expect, it } from 'vitest';
import type { DescMessage, FileRegistry } from '@bufbuild/protobuf';
import { loadProtoRegistry } from './support/proto-image.js';

/** Field-name words that suggest a direct identifier or free text. */
const piiWords = new Set([
  'name', 'names', 'firstname', 'lastname', 'fullname', 'surname', 'nickname', 'given', 'family',
  'email', 'mail', 'phone', 'mobile', 'msisdn', 'e164', 'tel', 'sms_number',
  'address', 'street', 'postcode', 'zip', 'city',
  'text', 'note', 'notes', 'comment', 'comments', 'hope', 'hopes', 'story', 'body', 'description',
  'dob', 'birth', 'birthday', 'birthdate', 'ssn', 'ip',
]);
const piiSubstrings = ['name', 'email', 'phone'];

function looksLikePii(fieldName: string): boolean {
  const words = fieldName.toLowerCase().split('_');
  return words.some((word) => piiWords.has(word)) || piiSubstrings.some((part) => fieldName.toLowerCase().includes(part));
}

/** Every message reachable from the roots through message, list and map fields. */
function reachableMessages(roots: readonly DescMessage[]): DescMessage[] {
  const seen = new Map<string, DescMessage>();
  const visit = (message: DescMessage): void => {
    if (seen.has(message.typeName)) return;
    seen.set(message.typeName, message);
    for (const field of message.fields) {
      if (field.message !== undefined) visit(field.message);
    }
    for (const nested of message.nestedMessages) visit(nested);
  };
  roots.forEach(visit);
  return [...seen.values()];
}

function piiFields(messages: readonly DescMessage[]): string[] {
  return messages.flatMap((message) => message.fields.filter((field) => looksLikePii(field.name)).map((field) => `${message.typeName}.${field.name}`));
}

function messagesOfPackage(registry: FileRegistry, protoPackage: string): DescMessage[] {
  return [...registry.files].filter((file) => file.proto.package === protoPackage).flatMap((file) => file.messages);
}

describe('no personal data in events or the console API', () => {
  let registry: FileRegistry;
  beforeAll(() => {
    registry = loadProtoRegistry();
  });

  it('the detector flags the contact fields that ContactDirectory does carry', () => {
    const contact = registry.getMessage('kindred.intake.v1.GetContactResponse')!;
    expect(piiFields([contact])).toEqual([
      'kindred.intake.v1.GetContactResponse.first_name',
      'kindred.intake.v1.GetContactResponse.email',
      'kindred.intake.v1.GetContactResponse.phone_e164',
    ]);
    expect(['free_text', 'display_name', 'user_notes', 'hopes', 'street_address', 'date_of_birth'].filter(looksLikePii)).toHaveLength(6);
  });

  it('no field of an event (anything an Envelope can carry) looks like PII', () => {
    const envelope = registry.getMessage('kindred.events.v1.Envelope')!;
    const carried = reachableMessages([envelope, ...messagesOfPackage(registry, 'kindred.events.v1')]);
    expect(carried.map((m) => m.typeName)).toContain('kindred.events.v1.NewcomerRegistered');
    expect(carried.length).toBeGreaterThan(15);
    expect(piiFields(carried)).toEqual([]);
  });

  it('no field of the console API (MatchingService) looks like PII', () => {
    const service = registry.getService('kindred.matching.v1.MatchingService')!;
    const roots = service.methods.flatMap((method) => [method.input, method.output]);
    const carried = reachableMessages([...roots, ...messagesOfPackage(registry, 'kindred.matching.v1')]);
    expect(carried.map((m) => m.typeName)).toContain('kindred.matching.v1.MatchDetail');
    expect(piiFields(carried)).toEqual([]);
  });
});
