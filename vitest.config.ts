import { defineConfig } from 'vitest/config';

// Default test run (npm test): unit, integration and e2e tests. Integration and e2e tests use
// the build in dist/ (npm test builds first) and real oracles (tests/helpers/oracles.ts).
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'tests/fixtures/**'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2-core machines: integration tests boot whole machines, so keep parallelism modest.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
