/**
 * The CLI as a user installs it: `npm pack`, then `npm install -g` of the tarball into a temporary
 * prefix, then the installed `ethhook-load-test`. The tarball holds the bundled CLI (dist/cli),
 * so this tests the committed dist/ and the `files` list of package.json; it needs no registry,
 * since everything the CLI runs is in the bundle and the package has no dependencies.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestSchema,
  TEST_REDIS_URL,
  uniqueSuffix,
  type TestSchema,
} from '../src/stack/test-support.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

describe('the packed CLI', () => {
  let work: string;
  let installedBin: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'ethhook-pack-'));
    await run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root });
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack left no .tgz in ${work}`);
    const prefix = path.join(work, 'prefix');
    await run(
      'npm',
      ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball],
      { cwd: work },
    );
    installedBin = path.join(prefix, 'bin', 'ethhook-load-test');
  }, 120_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('installs a working ethhook-load-test', async () => {
    const { stdout } = await run(installedBin, ['--help'], { cwd: work });
    expect(stdout).toMatch(/^Usage: ethhook-load-test /);
    expect(stdout).toMatch(/^ {2}quickstart /m);
  });

  describe('quickstart from the installed package', () => {
    let schema: TestSchema;
    // Its own queue and chain, so other tests' pipelines on the same Redis never see its events.
    const deliveryQueue = `delivery_queue:pack:${uniqueSuffix()}`;
    const chainId = 900_000 + Math.floor(Math.random() * 90_000);

    beforeAll(async () => {
      schema = await createTestSchema('pack');
    });

    afterAll(async () => {
      await schema?.drop();
      const redis = new Redis(TEST_REDIS_URL);
      await redis.del(deliveryQueue, `events:${chainId}`).finally(() => redis.disconnect());
    });

    it('runs a tiny load against the reference pipeline and compares with its own baseline', async () => {
      const out = path.join(work, 'result.json');
      // A pass exits 0; against a baseline measured elsewhere the check may not tell (exit 2,
      // inconclusive, saying why). Anything else is a failure of the installed CLI. A slow machine
      // cannot make it 1: this load (100 events at 100/s, no warm-up, its own chain) is not the
      // baseline's, so the judge counts the baseline invalid and ends inconclusive before any
      // figure decides (on this machine its rows read p50 +89% and throughput -80%, "regression",
      // and it exited 2); only a correctness gate (a lost delivery) fails it.
      const { stdout, stderr, code } = await run(
        installedBin,
        [
          'quickstart',
          ...['--events', '100', '--rate', '100', '--warmup', '0', '--trials', '1'],
          ...['--chain-id', String(chainId), '--out', out],
          ...['--sut-args', `--delivery-queue ${deliveryQueue}`],
        ],
        {
          // Outside the repository: the baseline must come from the installed package.
          cwd: work,
          env: { ...process.env, REDIS_URL: TEST_REDIS_URL, DATABASE_URL: schema.url },
        },
      ).then(
        (done) => ({ ...done, code: 0 }),
        (error: { stdout: string; stderr: string; code: number }) => error,
      );
      const output = `${stdout}\n${stderr}`;
      expect([0, 2], output).toContain(code);
      expect(output).toMatch(/^\* Lost deliveries +0 +0 +— +pass$/m);
      expect(output).toMatch(
        /vs the committed baseline quick \(\d+ nights?, newest \d{4}-\d{2}-\d{2}/,
      );
    }, 120_000);
  });
});
