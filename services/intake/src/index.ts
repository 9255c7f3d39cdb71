export { startIntake, type RunningIntake } from './intake.app.js';
export { intakeConfigSchema, type IntakeConfig } from './config.js';
