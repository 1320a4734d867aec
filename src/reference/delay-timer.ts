import { Worker } from 'node:worker_threads';

/**
 * The thread's code: for each request, sleep in Atomics.wait (a futex with a timeout, precise to
 * a fraction of a millisecond and idle meanwhile) until the deadline on the monotonic clock every
 * thread of the process shares, then answer. Requests come one at a time per waiter, so a queue of
 * them needs no ordering: each is answered no earlier than its deadline.
 */
const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
const cell = new Int32Array(new SharedArrayBuffer(4));
parentPort.on('message', ({ id, deadlineUs }) => {
  const leftUs = deadlineUs - Number(process.hrtime.bigint() / 1000n);
  if (leftUs > 0) Atomics.wait(cell, 0, 0, leftUs / 1000);
  parentPort.postMessage(id);
});
`;

const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * Waits of a fraction of a millisecond that leave the CPU idle: the reference pipeline's injected
 * processing delay (0.9 ms makes a 1.5 ms pipeline 1.6x). Timers fire in whole milliseconds, and
 * polling the clock (engine/clock.ts `waitUntil`) keeps a core busy for the whole wait: at 500
 * events/s a 0.9 ms delay burned about 45% of a core, so the injected slowdown was also a CPU
 * load whose effect on p50 moved with whatever else ran on the runner. Here a worker thread sleeps
 * until each deadline and answers by message; the answer arrives about 0.1 ms late, steadily.
 */
export class DelayTimer {
  private readonly thread = new Worker(THREAD_SOURCE, { eval: true });
  private readonly waiting = new Map<number, () => void>();
  private nextId = 0;
  private closed = false;

  constructor() {
    this.thread.on('message', (id: number) => {
      this.waiting.get(id)?.();
      this.waiting.delete(id);
    });
    // A thread that fails (it should not) ends the waits rather than hanging them.
    this.thread.on('error', () => this.releaseAll());
    this.thread.on('exit', () => this.releaseAll());
    // It never keeps the process alive on its own.
    this.thread.unref();
  }

  /**
   * Resolves no earlier than `deadline` (milliseconds on `performance.now()`), at once when it
   * has passed or the timer is closed.
   */
  waitUntil(deadline: number): Promise<void> {
    const leftMs = deadline - performance.now();
    if (leftMs <= 0 || this.closed) return Promise.resolve();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.thread.postMessage({ id, deadlineUs: nowUs() + Math.ceil(leftMs * 1000) });
    });
  }

  /** Ends every wait now and stops the thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.releaseAll();
    await this.thread.terminate();
  }

  private releaseAll(): void {
    for (const resolve of this.waiting.values()) resolve();
    this.waiting.clear();
  }
}
