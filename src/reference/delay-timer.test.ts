import { afterEach, describe, expect, it } from 'vitest';
import { DelayTimer } from './delay-timer.js';

let timer: DelayTimer | undefined;
afterEach(async () => {
  await timer?.close();
  timer = undefined;
});

describe('DelayTimer', () => {
  it('resolves no earlier than a deadline a fraction of a millisecond away', async () => {
    timer = new DelayTimer();
    for (const waitMs of [0.3, 0.9, 1.7, 0.05, 2.4]) {
      const start = performance.now();
      await timer.waitUntil(start + waitMs);
      expect(performance.now() - start).toBeGreaterThanOrEqual(waitMs);
    }
  });

  it('leaves the CPU idle while it waits (the polling wait it replaced kept a core busy)', async () => {
    timer = new DelayTimer();
    await timer.waitUntil(performance.now() + 1); // the thread started and answering
    const before = process.cpuUsage();
    const start = performance.now();
    await timer.waitUntil(start + 300);
    const cpu = process.cpuUsage(before);
    expect(performance.now() - start).toBeGreaterThanOrEqual(300);
    // CPU time is this process's own, so a busy machine does not inflate it; polling spends
    // close to the whole 300 ms.
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(100);
  });

  it('answers each of many waits in flight at once no earlier than its own deadline', async () => {
    timer = new DelayTimer();
    const start = performance.now();
    const offsets = [3, 0.5, 2, 1, 0.8, 2.6];
    const ended = await Promise.all(
      offsets.map((offset) => timer!.waitUntil(start + offset).then(() => performance.now())),
    );
    ended.forEach((at, i) => expect(at - start).toBeGreaterThanOrEqual(offsets[i]!));
  });

  it('resolves a deadline already passed at once, without asking the thread', async () => {
    timer = new DelayTimer();
    const order: string[] = [];
    const waited = timer.waitUntil(performance.now() - 1).then(() => order.push('wait'));
    setImmediate(() => order.push('next turn'));
    await waited;
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['wait', 'next turn']);
  });

  it('on close, ends the waits in flight and every later wait at once', async () => {
    timer = new DelayTimer();
    const start = performance.now();
    const long = timer.waitUntil(start + 60_000);
    await timer.close();
    await long;
    await timer.waitUntil(performance.now() + 60_000);
    expect(performance.now() - start).toBeLessThan(30_000);
  });
});
