import { defineConfig } from 'vitest/config';

// Two projects, run one after the other by `npm test`:
// - unit: src/** and scripts/**, pure tests and small integration tests against the real Redis
//   and Postgres (or a local git repository), each file isolated by its own key prefix / stream /
//   schema / temporary folder, so files run in parallel;
// - e2e: test/**, whole runs (load, pipeline, bundled action, Docker). They measure latency, so
//   they run one file at a time (--no-file-parallelism in package.json): a neighbour's CPU burst
//   must not become a test's "regression".
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // picocolors turns colour on whenever CI is set; tests read plain text, in CI too.
    env: { NO_COLOR: '1' },
    // Redis and PostgreSQL for the tests: the local ones, else throwaway ones (scripts/test-services.ts).
    globalSetup: ['./scripts/test-services.ts'],
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          testTimeout: 300_000,
        },
      },
    ],
  },
});
