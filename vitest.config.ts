import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each service test file boots its own database (PGlite ~3 s); two cores, so two at a time.
    maxWorkers: 2,
  },
});
