// The paired A/B check of the CLI (`run --start … --base-start …`) on the reference pipeline, for
// run-paired.test.ts (a slower head, and the same command on both sides).
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { streamKey } from '../../src/stack/contracts.js';
import {
  createTestSchema,
  REPO_ROOT as repo,
  TEST_REDIS_URL,
  uniqueSuffix,
  type TestSchema,
} from '../../src/stack/test-support.js';
import { runCli, type CliOutcome } from './helpers.js';

/** The report's last line: the verdict. */
export const verdictLine = (report: string): string => report.trimEnd().split('\n').at(-1) ?? '';

export const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const explain = (run: CliOutcome) =>
  `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;

/** Every SUT process group the run started ("Started the SUT (process group N)"). */
export const groupsStarted = (stderr: string): number[] =>
  [...stderr.matchAll(/Started the SUT \(process group (\d+)\)/g)].map((match) => Number(match[1]));

export interface PairedBed {
  /** The folder of the runs' result files. */
  dir: string;
  /** The reference pipeline (the bundled CLI: it starts in a fraction of tsx's time) as a SUT command. */
  pipeline(processingDelayMs: number): string;
  /** A paired check of the pipeline with these delays, its result files in dir/name. */
  paired(
    name: string,
    delays: { base: number; head: number },
    extra?: string[],
  ): Promise<CliOutcome>;
}

/** Registers the hooks of a file's own schema, chain and delivery queue; call in a describe. */
export function pairedBed(name: string): PairedBed {
  let schema: TestSchema;
  const chainId = randomInt(900_000_000, 2_000_000_000);
  const deliveryQueue = `delivery_queue:e2e-${name}:${uniqueSuffix()}`;
  const dir = mkdtempSync(path.join(tmpdir(), `${name}-`));

  beforeAll(async () => {
    schema = await createTestSchema(name.replaceAll('-', '_'));
  });

  afterAll(async () => {
    const redis = new Redis(TEST_REDIS_URL);
    await redis.del(streamKey(chainId), deliveryQueue);
    redis.disconnect();
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const pipeline = (processingDelayMs: number) =>
    [
      `exec node ${path.join(repo, 'bin', 'ethhook-load-test.js')} reference`,
      `--redis-url ${TEST_REDIS_URL} --database-url '${schema.url}' --apply-schema`,
      `--chain-ids ${chainId} --delivery-queue '${deliveryQueue}' --block-ms 200`,
      '--health-host 127.0.0.1 --processor-health-port 0 --delivery-health-port 0',
      `--processing-delay-ms ${processingDelayMs}`,
    ].join(' ');

  function paired(
    name: string,
    delays: { base: number; head: number },
    extra: string[] = [],
  ): Promise<CliOutcome> {
    return runCli(
      [
        'run',
        ...extra,
        ...['--start', pipeline(delays.head), '--base-start', pipeline(delays.base)],
        ...['--rounds', '2', '--chain-id', String(chainId)],
        ...['--redis-url', TEST_REDIS_URL, '--database-url', schema.url, '--apply-schema'],
        // The quick scenario's rate: this file runs by itself (vitest.config.ts), where the
        // publisher keeps to it; 250/s doubled every round's warm-up and measurement (2 s each, a
        // side) for nothing. 500 events a round: a p99 needs at least 5 deliveries beyond it.
        ...['--events', '500', '--rate', '500', '--concurrency', '2', '--warmup', '500'],
        // One trial a start (the default three would triple each round's measuring): a 20 ms
        // delay on a pipeline of a few ms needs no more to show.
        ...['--trials', '1'],
        ...[
          '--drain-timeout',
          '5',
          '--progress',
          'off',
          '--out',
          path.join(dir, name, 'result.json'),
        ],
      ],
      300_000,
    );
  }

  return { dir, pipeline, paired };
}
