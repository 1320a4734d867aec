import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runResultSchema } from '../../src/engine/measure/result.js';
import type { ReferencePipeline } from '../../src/reference/pipeline.js';
import { TEST_REDIS_URL } from '../../src/stack/test-support.js';
import { isolatedStack, runCli, type IsolatedStack } from './helpers.js';

// Issue 27: every trial records the harness's own CPU time (the CLI process: publisher and
// receiver; the reference SUT runs in this test's process), and the report shows it.
describe("the harness's own CPU time", () => {
  let stack: IsolatedStack;
  let pipeline: ReferencePipeline;
  let dir: string;
  beforeAll(async () => {
    stack = await isolatedStack();
    pipeline = await stack.startPipeline();
    dir = await mkdtemp(join(tmpdir(), 'harness-cpu-e2e-'));
  });
  afterAll(async () => {
    await pipeline?.stop();
    await stack?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is in every trial of a quick run, plausible, and in report.md', async () => {
    const out = join(dir, 'result.json');
    const report = join(dir, 'report.md');
    const outcome = await runCli(
      [
        'run',
        ...['--scenario', 'quick', '--chain-id', String(stack.chainId)],
        ...['--redis-url', TEST_REDIS_URL, '--database-url', stack.databaseUrl, '--apply-schema'],
        ...['--events', '1000', '--rate', '500', '--warmup', '200', '--trials', '1'],
        ...['--progress', 'off', '--out', out, '--markdown', report],
        ...['--baseline', join(dir, 'none.json')],
      ],
      180_000,
    );
    // No reference: correctness only, inconclusive (exit 2), with the report all the same.
    expect(outcome.code, outcome.stderr).toBe(2);
    expect(outcome.stderr + outcome.stdout).toMatch(
      /Harness CPU \(publisher and receiver\): [\d.]+ ms per 1,000 events, [\d.]+ of \d+ cores busy/,
    );

    const result = runResultSchema.parse(JSON.parse(await readFile(out, 'utf8')));
    const figure = result.runner?.harnessCpu;
    expect(figure).toBeDefined();
    const { cpuMs, wallMs, cores, cpuMsPerThousandEvents, shareOfCores } = figure!;
    // More than nothing (1,000 events were published and their webhooks checked), less than
    // every core for the whole trial.
    expect(cpuMs).toBeGreaterThan(0);
    expect(cpuMs).toBeLessThan(wallMs * cores);
    expect(wallMs).toBeGreaterThanOrEqual(result.publisher.elapsedMs);
    expect(cpuMsPerThousandEvents).toBeCloseTo((cpuMs * 1000) / result.publisher.published, 1);
    expect(shareOfCores).toBeGreaterThan(0);
    expect(shareOfCores).toBeLessThan(1);

    const markdown = await readFile(report, 'utf8');
    expect(markdown).toMatch(/Harness CPU per 1,000 events \(ms\) *\| *[\d.]+/);
    expect(markdown).toMatch(/Harness CPU \(cores kept busy\) *\| *[\d.]+ of \d+/);
  });
});
