export { startSandbox } from './sandbox.js';
export type { Sandbox, SandboxOptions } from './sandbox.js';
export { sandboxConfigFromEnv, SandboxConfigError } from './config.js';
export { countSegments, smsEncoding } from './sms/sms-segments.js';
export { twilioSignature } from './sms/twilio-signature.js';
export * from './client.js';
