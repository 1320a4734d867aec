import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { Logger } from '../log.js';
import { freePort } from '../net.js';
import { LOAD_TEST_APPLICATION_ID } from '../../stack/seeder.js';
import { TEST_REDIS_URL, uniqueSuffix } from '../../stack/test-support.js';
import { runTrials } from './run.js';
import { smallRun } from './testing.js';
import { clearStaleDeliveries, describeStale } from './stale.js';

const redis = new Redis(TEST_REDIS_URL);
const queues: string[] = [];
afterAll(async () => {
  await redis.del(...queues);
  redis.disconnect();
});

const job = (applicationId: string, url: string, n: number): string =>
  JSON.stringify({ endpoint_id: `e${n}`, application_id: applicationId, url, event: { n } });

async function queueWith(...jobs: string[]): Promise<string> {
  const queue = `delivery_queue:stale:${uniqueSuffix()}`;
  queues.push(queue);
  await redis.lpush(queue, ...jobs);
  return queue;
}

describe('stale delivery jobs', () => {
  it("clears the tool's own jobs for a receiver that is gone, and names the rest untouched", async () => {
    const dead = `http://127.0.0.1:${await freePort()}/webhook`;
    const foreign = [job('another-app', 'https://hooks.example.com/x', 9), 'not json'];
    const queue = await queueWith(
      job(LOAD_TEST_APPLICATION_ID, dead, 1),
      job(LOAD_TEST_APPLICATION_ID, dead, 2),
      ...foreign,
    );
    const found = await clearStaleDeliveries(redis, { queue });
    expect(found).toMatchObject({ cleared: 2, ownLive: 0, foreign: 2, scanned: 4 });
    expect(found.foreignHosts.sort()).toEqual(['hooks.example.com', 'not a delivery job']);
    expect((await redis.lrange(queue, 0, -1)).sort()).toEqual([...foreign].sort());
    expect(describeStale(found, queue)).toBe(
      `Before measuring: cleared 2 delivery job(s) a previous run left in ${queue} for a receiver that is gone; ` +
        `left 2 job(s) that are not this tool's untouched (to ${found.foreignHosts.join(', ')}); ` +
        'the SUT delivers them during the run',
    );
  });

  it("keeps the tool's own jobs whose receiver still answers", async () => {
    const queue = await queueWith(job(LOAD_TEST_APPLICATION_ID, 'http://127.0.0.1:1/webhook', 1));
    const found = await clearStaleDeliveries(redis, { queue, receiverGone: async () => false });
    expect(found).toMatchObject({ cleared: 0, ownLive: 1 });
    expect(await redis.llen(queue)).toBe(1);
  });

  it('are cleared by a run before it measures, with a log line saying how many', async () => {
    const dead = `http://127.0.0.1:${await freePort()}/webhook`;
    const queue = await queueWith(job(LOAD_TEST_APPLICATION_ID, dead, 1));
    const lines: string[] = [];
    const logger: Logger = {
      info: (line) => lines.push(line),
      warn: (line) => lines.push(line),
      group: (_title, work) => work(),
    };
    // No SUT reads this chain: the run fails its readiness, after the queue was looked at.
    const run = runTrials(smallRun({ readyTimeoutMs: 500, logger, deliveryQueue: queue }));
    await expect(run).rejects.toThrow();
    expect(await redis.llen(queue)).toBe(0);
    expect(lines.join('\n')).toContain(`cleared 1 delivery job(s) a previous run left in ${queue}`);
  });
});
