import { describe, expect, it } from 'vitest';
import { screenRisk } from '../../src/domain/safety-screener.js';
import { crisisResourcesFor, defaultCrisisResources } from '../../src/domain/crisis-resources.js';

const no = { wishToBeDead: false, suicidalThoughts: false, suicidalBehavior: false };

describe('suicide-risk screener', () => {
  it.each([
    ['all no', no, 'none'],
    ['a wish to be dead', { ...no, wishToBeDead: true }, 'low'],
    ['non-specific thoughts', { ...no, wishToBeDead: true, suicidalThoughts: true }, 'low'],
    ['thoughts with a method', { ...no, suicidalThoughts: true, thoughtsWithMethod: true }, 'moderate'],
    ['behaviour longer ago than three months', { ...no, suicidalBehavior: true, behaviorPast3Months: false }, 'moderate'],
    ['intent to act', { ...no, suicidalThoughts: true, intentToAct: true }, 'imminent'],
    ['a plan with intent', { ...no, suicidalThoughts: true, planWithIntent: true }, 'imminent'],
    ['behaviour in the past three months', { ...no, suicidalBehavior: true, behaviorPast3Months: true }, 'imminent'],
    ['intent even when the skip logic would not have asked', { ...no, intentToAct: true }, 'imminent'],
  ] as const)('%s → %s', (_label, answers, level) => {
    expect(screenRisk(answers).riskLevel).toBe(level);
  });

  it('marks only imminent risk urgent, and shows crisis resources from moderate up', () => {
    expect(screenRisk({ ...no, intentToAct: true })).toEqual({ riskLevel: 'imminent', urgent: true, showCrisisResources: true });
    expect(screenRisk({ ...no, suicidalBehavior: true })).toEqual({ riskLevel: 'moderate', urgent: false, showCrisisResources: true });
    expect(screenRisk({ ...no, wishToBeDead: true })).toEqual({ riskLevel: 'low', urgent: false, showCrisisResources: false });
  });
});

describe('crisis resources', () => {
  it('uses the region country when known, else the program country', () => {
    expect(crisisResourcesFor(defaultCrisisResources, 'US', 'ES-MD').emergencyNumber).toBe('112');
    expect(crisisResourcesFor(defaultCrisisResources, 'US', 'ZZ-1').lines[0]?.call).toBe('988');
    expect(crisisResourcesFor(defaultCrisisResources, 'US', undefined).lines[0]?.text).toBe('988');
  });
});
