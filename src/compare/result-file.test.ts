import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputFileError } from './errors.js';
import { makeRunResult } from './fixtures.js';
import { readResultFile, TRIAL_SET_KIND, writeTrialSet } from './result-file.js';
import { aggregateTrials } from './trials.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'result-file-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('result files', () => {
  it('reads a single run result as an aggregate of one trial', async () => {
    const result = makeRunResult({ runId: 'single' });
    const path = join(dir, 'result.json');
    await writeFile(path, JSON.stringify(result, null, 2));
    const aggregate = await readResultFile(path);
    expect(aggregate).toEqual(aggregateTrials([result]));
    expect(aggregate.trialCount).toBe(1);
  });

  it('round-trips a trial set', async () => {
    const aggregate = aggregateTrials([
      makeRunResult({ runId: 'a' }),
      makeRunResult({ runId: 'b' }),
    ]);
    const path = join(dir, 'trials', 'set.json');
    await writeTrialSet(path, aggregate);
    const text = await readFile(path, 'utf8');
    expect(JSON.parse(text)).toMatchObject({ kind: TRIAL_SET_KIND, version: 1, trialCount: 2 });
    expect(await readResultFile(path)).toEqual(aggregate);
  });

  it('names the file and the problem', async () => {
    const missing = readResultFile(join(dir, 'nope.json'));
    await expect(missing).rejects.toThrow(InputFileError);
    await expect(missing).rejects.toThrow(
      /No result file at .*nope\.json\. Produce it with `ethhook-load-test run`/,
    );

    const other = join(dir, 'other.json');
    await writeFile(other, JSON.stringify({ kind: 'something-else', version: 1 }));
    await expect(readResultFile(other)).rejects.toThrow(
      /kind is "something-else", expected "ethhook-load-test\/trial-set" or "ethhook-load-test\/run-result"/,
    );

    const future = join(dir, 'future.json');
    await writeFile(future, JSON.stringify({ ...makeRunResult(), version: 9 }));
    await expect(readResultFile(future)).rejects.toThrow(
      /run result of version 9; this tool reads version 1\. Upgrade/,
    );

    const broken = join(dir, 'broken.json');
    const result = makeRunResult() as unknown as { delivery: Record<string, unknown> };
    delete result.delivery.latencyHistogram;
    await writeFile(broken, JSON.stringify(result));
    await expect(readResultFile(broken)).rejects.toThrow(/delivery\.latencyHistogram is missing/);
  });
});
