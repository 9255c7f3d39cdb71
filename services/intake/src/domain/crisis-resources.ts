/** Where someone at risk can get help right now. Per country; the program configures its own when needed. */
export interface CrisisResources {
  readonly country: string;
  readonly emergencyNumber: string;
  readonly lines: readonly CrisisLine[];
}

export interface CrisisLine {
  readonly name: string;
  readonly call?: string;
  readonly text?: string;
  readonly chatUrl?: string;
}

export const defaultCrisisResources: Readonly<Record<string, CrisisResources>> = {
  US: {
    country: 'US',
    emergencyNumber: '911',
    lines: [{ name: '988 Suicide & Crisis Lifeline', call: '988', text: '988', chatUrl: 'https://988lifeline.org/chat/' }],
  },
  CA: {
    country: 'CA',
    emergencyNumber: '911',
    lines: [{ name: '9-8-8 Suicide Crisis Helpline', call: '988', text: '988' }],
  },
  MX: {
    country: 'MX',
    emergencyNumber: '911',
    lines: [{ name: 'Línea de la Vida', call: '800 911 2000' }],
  },
  ES: {
    country: 'ES',
    emergencyNumber: '112',
    lines: [{ name: 'Línea 024 de atención a la conducta suicida', call: '024' }],
  },
  GB: {
    country: 'GB',
    emergencyNumber: '999',
    lines: [{ name: 'Samaritans', call: '116 123' }, { name: 'Shout', text: '85258' }],
  },
};

/**
 * The resources for a newcomer: the country of their region when we know it (US-TX → US), else the program's.
 * Never empty: the program's country always has an entry (config validation guarantees it).
 */
export function crisisResourcesFor(
  table: Readonly<Record<string, CrisisResources>>,
  programCountry: string,
  region: string | undefined,
): CrisisResources {
  const fromRegion = region?.slice(0, 2);
  const chosen = (fromRegion !== undefined ? table[fromRegion] : undefined) ?? table[programCountry];
  if (!chosen) throw new Error(`no crisis resources configured for ${programCountry}`);
  return chosen;
}
