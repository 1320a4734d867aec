import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { streamKey } from '../../src/stack/contracts.js';
import {
  createTestSchema,
  REPO_ROOT,
  TEST_REDIS_URL,
  uniqueSuffix,
  type TestSchema,
} from '../../src/stack/test-support.js';
import { startFakeGitHub, type FakeGitHubServer } from './fake-github.js';
import type { StepRun } from './runner.js';

/**
 * What the tests of the bundled action share: the bundle's entry points, a fake GitHub on
 * loopback, and the reference pipeline as the system under test on the machine's Redis and
 * PostgreSQL (its own schema, chain and delivery queue, removed afterwards).
 */
export const MAIN = path.join(REPO_ROOT, 'dist', 'index.js');
export const POST = path.join(REPO_ROOT, 'dist', 'post.js');

export interface ActionTestBed {
  schema: TestSchema;
  github: FakeGitHubServer;
  /** A fresh folder for the test's files, removed by close(). */
  workspace: string;
  chainId: number;
  deliveryQueue: string;
  /**
   * The start command of the reference pipeline on this bed's schema, chain and queue, with
   * `flags` added (e.g. `--processing-delay-ms 20`): what a user's start-command would be.
   */
  referenceStart(flags?: readonly string[]): string;
  /** Writes a pull_request event of pull request `number` at `head` into the workspace; its path. */
  pullRequestEvent(number: number, head: string): string;
  close(): Promise<void>;
}

/** The inputs that point the action at this bed's stack: its chain, Redis, schema, timeouts. */
export function stackInputs(bed: ActionTestBed): Record<string, string> {
  return {
    'chain-id': String(bed.chainId),
    'redis-url': TEST_REDIS_URL,
    'database-url': bed.schema.url,
    'apply-schema': 'true',
    'ready-timeout': '30',
    'drain-timeout': '5',
  };
}

/** `name` tells the bed's schema, queue and folder apart from other tests' in the logs. */
export async function actionTestBed(name: string): Promise<ActionTestBed> {
  if (!existsSync(MAIN)) throw new Error('dist/ is missing: run `npm run bundle`');
  const chainId = 1_700_000_000 + Math.floor(Math.random() * 299_999_999);
  const deliveryQueue = `delivery_queue:${name}:${uniqueSuffix()}`;
  const schema = await createTestSchema(name.replace(/[^a-z0-9]/gi, '_'));
  const github = await startFakeGitHub();
  const workspace = mkdtempSync(path.join(tmpdir(), `${name}-`));
  return {
    schema,
    github,
    workspace,
    chainId,
    deliveryQueue,
    referenceStart: (flags = []) => {
      const all = [
        '--role all',
        `--redis-url '${TEST_REDIS_URL}'`,
        `--database-url '${schema.url}'`,
        '--apply-schema',
        `--chain-ids ${chainId}`,
        `--delivery-queue '${deliveryQueue}'`,
        '--health-host 127.0.0.1',
        '--processor-health-port 0',
        '--delivery-health-port 0',
        '--block-ms 200',
        ...flags,
      ];
      return `exec node ${path.join(REPO_ROOT, 'bin', 'ethhook-load-test.js')} reference ${all.join(' ')}`;
    },
    pullRequestEvent: (number, head) => {
      const file = path.join(workspace, `pull_request-${number}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          action: 'synchronize',
          number,
          pull_request: { number, head: { sha: head, ref: 'feature' } },
        }),
      );
      return file;
    },
    close: async () => {
      await github.close();
      const redis = new Redis(TEST_REDIS_URL);
      await redis.del(streamKey(chainId), deliveryQueue).catch(() => undefined);
      redis.disconnect();
      await schema.drop();
      rmSync(workspace, { recursive: true, force: true });
    },
  };
}

/** A step's exit code and output, for an assertion's message. */
export function explain(run: Pick<StepRun, 'exitCode' | 'stdout' | 'stderr'>): string {
  return `exit ${run.exitCode}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}
