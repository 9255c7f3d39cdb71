// An independent statement of the hard rules, straight from the profiles (no bitmasks), used as a test oracle.
import type { DeclinedPair, NewcomerProfile, PeerProfile } from '@kindred/matching-engine';

const MONTH = 30.436875 * 86_400_000;
const norm = (s: string): string => s.trim().toLowerCase();
const shares = (a: readonly string[], b: readonly string[]): boolean => a.some((x) => b.map(norm).includes(norm(x)));

export function breaksHardRule(
  n: NewcomerProfile,
  p: PeerProfile,
  now: Date,
  declined: readonly DeclinedPair[],
  minGapMonths: number,
): string | null {
  if (n.riskLevel === 'imminent') return 'urgent newcomer';
  if (!p.active) return 'peer inactive';
  if (!p.consented) return 'peer not consented';
  if (p.currentLoad >= p.capacity) return 'peer at capacity';
  if ((p.pauses ?? []).some((w) => w.from <= now && (w.until === undefined || now < w.until))) return 'peer paused';
  if (!shares(n.languages, p.languages)) return 'no shared language';
  const gender = n.preferences?.peerGender;
  if (gender?.mustHave && (p.gender === undefined || !gender.values.map(norm).includes(norm(p.gender)))) return 'gender';
  const age = n.preferences?.peerAgeBand;
  if (age?.mustHave && (p.ageBand === undefined || !age.values.includes(p.ageBand))) return 'age band';
  const remote = n.meetingModes.some((m) => m !== 'in_person' && p.meetingModes.includes(m));
  const inPerson =
    n.meetingModes.includes('in_person') &&
    p.meetingModes.includes('in_person') &&
    n.region !== undefined &&
    p.region !== undefined &&
    norm(n.region) === norm(p.region);
  if (!remote && !inPerson) return 'no way to meet';
  const newcomerStart = (n.recoveryStartedAt ?? now).getTime();
  if (newcomerStart - p.recoveryStartedAt.getTime() < minGapMonths * MONTH) return 'recovery gap';
  if (!shares(n.topics, p.topics)) return 'no shared topic';
  if (declined.some((d) => d.newcomerId === n.id && d.peerId === p.id)) return 'declined before';
  return null;
}
