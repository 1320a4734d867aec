import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Four projects, run by `npm test` in two steps:
// 1. unit, e2e-parallel and docker together, files in parallel, three at a time on 2 cores: the
//    docker file spends most of its time waiting on the engine (step 1 took 198 s with three
//    workers, 224 s with two, on this machine the same hour; stop 31):
//    - unit: src/** and scripts/**, pure tests and small integration tests against the real Redis
//      and Postgres (or a local git repository), each file isolated by its own key prefix /
//      stream / schema / temporary folder. No module isolation between its files (they share a
//      worker's module cache): none mocks a module, and the one that changes process.env restores it;
//    - e2e-parallel: whole runs (load, pipeline, bundled action, browser) whose assertions are
//      counts, plumbing and rendering, never a timing judged against another measurement;
//    - docker: the compose lifecycle on a real engine, in two files beside each other (the CLI's
//      suites, the action's: test/docker/compose-*.test.ts); its one verdict (a head 250 ms
//      slower per event) accepts "inconclusive" from a busy machine, so it may share the CPU;
// 2. e2e: whole runs that judge timing (a verdict, an injected delay or stall, CPU steal, the
//    runner's speed) or that need a valid run (a baseline is refused from an invalid one: the
//    publisher behind its schedule), two files at a time (--maxWorkers 2 in package.json's
//    test:timing) and nothing else: a neighbour's CPU burst must not become a test's
//    "regression". Step 2 took 182-192 s one file at a time, 119 s two at a time, on this
//    machine (stop 38); each file's margins hold beside one other timing file, which uses about
//    one core of the two, not beside step 1's three workers and their Docker containers (tried in
//    that stop: a base's p50 read 172 ms instead of about 1 ms, and an action's regression came
//    out inconclusive). Then e2e-verdict and e2e-paired, one file each, each by itself (ALONE
//    below).
// The whole suite, `CI=true npm test` on this 2-core machine: 307 s at the start of stop 42 (step 1
// 148 s, step 2 159 s); 290 s and 288 s after its changes (step 1 139-146 s, step 2 143-147 s).
// Step 1 is CPU-bound (the cores 91% busy; alone, the docker project used 111 s of CPU, unit 112,
// e2e-parallel 54): it shrinks only with less work. Step 2 is not: its files wait on their load.
const JUDGES_LATENCY = [
  'test/e2e/steal.test.ts',
  // Measures a 20 ms delay as the difference of two runs' p50.
  'test/e2e/run.test.ts',
  'test/action/ab.test.ts',
  // Its regression must read "regression": beside step 1's files, trials fell invalid
  // (publisher behind its schedule, CPU steal), were measured again, and could end inconclusive.
  // The action's comments and inputs, whatever the verdict, are test/action/comments.test.ts.
  'test/action/e2e.test.ts',
  // Exactly one stall (the injected one): a burst of step 1's files could show as a second.
  'test/e2e/timeline.test.ts',
  // Times its faults 1 s into a 4 s trial: beside step 1's files, both trials once ended
  // before the run saw the dropped schema (a CI run, stop 30).
  'test/e2e/outages.test.ts',
  // Its three nights must be valid trials: beside step 1's files, night 2's publisher fell behind
  // its 150/s four times in a row (lag p99 103 ms, 141/s achieved) and the night failed (stop 39).
  'test/action/data-branch.test.ts',
  // Its baseline run must be valid, or the baseline is refused: beside step 1's files the
  // publisher fell behind four times in a row, at 300/s and again at 150/s (lag p99 116-135 ms;
  // two fresh-clone CI runs, stop 40).
  'test/action/comments.test.ts',
];
// Two timing files after the others, each by itself (one project each, run in sequence.groupOrder
// order): beside another timing file each failed on this machine on a slow day (stop 39). The
// paired CLI check, the heaviest (two files of it side by side: a paired base's p50 read 64 ms
// instead of about 1 ms); verdict.test.ts, whose baselines are single starts (beside the paired
// file its doubled p50 read 1.54x; beside the action's files, in CI, its 60 ms slower pipeline
// stayed inconclusive against a one-night baseline three times).
const ALONE = {
  'e2e-verdict': 'test/e2e/verdict.test.ts',
  'e2e-paired': 'test/e2e/run-paired.test.ts',
};
const DOCKER = ['test/docker/compose-cli.test.ts', 'test/docker/compose-action.test.ts'];

// The longest files of step 1 start first. On a fresh clone vitest has no timings and runs the
// largest files first: the compose file, a few lines that import its suites, started last, at
// 179 s, and ran alone for 173 s (step 1: 357 s; 276 s with it first; 242 s with its suites in two
// files side by side; stop 33).
// Step 2 likewise, by their times on this machine (stop 39): a fresh clone (CI) ran them in size
// order, the paired A/A check last and alone for 77 s, and the step took 181 s.
// Step 2's eight pair files in the order of their times here (stop 42: e2e 28 s with its baseline,
// data-branch 27, comments 22, ab 20, outages 20, timeline 12, run 10, steal 8.5), longest first.
// Measured, the pair phase ended at 87 s in this order as in the earlier one (comments, ab, e2e,
// data-branch, outages first): no gain beyond the noise, but no loss either.
const START_FIRST = [
  ...DOCKER,
  'test/action/e2e.test.ts',
  'test/action/data-branch.test.ts',
  'test/action/comments.test.ts',
  'test/action/ab.test.ts',
  'test/e2e/outages.test.ts',
  'test/e2e/timeline.test.ts',
  'test/e2e/run.test.ts',
  'test/e2e/steal.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const at = START_FIRST.findIndex((name) => file.moduleId.endsWith(name));
      return at === -1 ? START_FIRST.length : at;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // picocolors turns colour on whenever CI is set; tests read plain text, in CI too.
    env: { NO_COLOR: '1' },
    // Redis and PostgreSQL for the tests: the local ones, else throwaway ones (scripts/test-services.ts);
    // the CLI bundled once for the tests that start it (scripts/test-cli.ts).
    globalSetup: ['./scripts/test-services.ts', './scripts/test-cli.ts'],
    sequence: { sequencer: LongestFirst },
    maxWorkers: 3,
    minWorkers: 1,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e-parallel',
          include: ['test/**/*.test.ts'],
          exclude: [...JUDGES_LATENCY, ...Object.values(ALONE), ...DOCKER],
          testTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: { name: 'docker', include: DOCKER, testTimeout: 300_000 },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: JUDGES_LATENCY,
          testTimeout: 300_000,
        },
      },
      ...Object.entries(ALONE).map(([name, file], index) => ({
        extends: true as const,
        test: {
          name,
          include: [file],
          testTimeout: 300_000,
          // One file each: nothing to sort, only the order of the groups.
          sequence: { groupOrder: index + 1 },
        },
      })),
    ],
  },
});
