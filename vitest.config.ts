import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each service test file boots its own database (PGlite ~3 s); two cores, so two at a time.
    maxWorkers: 2,
    // A known flake on PostgreSQL (a bot e2e reply read as empty about one run in two) is
    // retried once until its cause is found; a test that fails twice still fails the run.
    retry: 1,
  },
});
