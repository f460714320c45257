import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.{ts,tsx}'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most suites wait on Docker, compose, git or PostgreSQL rather than the CPU: run three files at a
    // time even on two cores. Suites that share the engine use their own names and port ranges.
    maxWorkers: 3,
  },
});
