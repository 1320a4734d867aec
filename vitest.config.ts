import { defineConfig } from 'vitest/config';

// Integration tests share one Redis and one Postgres; each test file isolates itself with its own
// key prefix / stream names / schema, so files may run in parallel, but load tests are sensitive to
// CPU contention on a 2-core machine, so we keep parallelism modest.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default'],
  },
});
