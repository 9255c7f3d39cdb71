// Runs only this package's tests, without the workspace's global setup: the engine is pure and needs no servers.
// `pnpm vitest run --config packages/matching-engine/test/vitest.config.ts`
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
  },
});
