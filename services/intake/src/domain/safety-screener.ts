import type { ScreenerAnswers } from './intake.schemas.js';
import type { RiskLevel } from './vocabulary.js';

export interface ScreeningOutcome {
  readonly riskLevel: RiskLevel;
  /** Shown to a coordinator first and never matched automatically. */
  readonly urgent: boolean;
  /** The crisis resources must be shown with the response, at once. */
  readonly showCrisisResources: boolean;
}

/**
 * Triage of the Columbia-style screener, conservatively: any "yes" counts even where the skip logic would not
 * have asked the question. Intent, a plan, or suicidal behaviour in the past three months → imminent; thoughts
 * with a method or lifetime behaviour → moderate; a wish to be dead or non-specific thoughts → low.
 */
export function screenRisk(answers: ScreenerAnswers): ScreeningOutcome {
  const riskLevel = riskLevelOf(answers);
  return {
    riskLevel,
    urgent: riskLevel === 'imminent',
    showCrisisResources: riskLevel === 'imminent' || riskLevel === 'moderate',
  };
}

function riskLevelOf(a: ScreenerAnswers): RiskLevel {
  if (a.intentToAct === true || a.planWithIntent === true || (a.suicidalBehavior && a.behaviorPast3Months === true)) return 'imminent';
  if (a.thoughtsWithMethod === true || a.suicidalBehavior) return 'moderate';
  if (a.wishToBeDead || a.suicidalThoughts) return 'low';
  return 'none';
}
