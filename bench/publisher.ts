/**
 * Publisher benchmarks, each measured in the run that reports it:
 *
 * - top rate: the publisher at rate 0 as a ratio to `redis-benchmark` XADD of the same fields at
 *   -P 32 against the same Redis, both sides sending events of one size (USDC Transfers). Rounds alternate between the two, and the reported ratio is the
 *   median over pairs, so a burst of other load on the machine (2 shared cores) hits both sides of
 *   a pair alike.
 * - pacing: runs at fixed target rates; the error is |achieved - target| / target, with the
 *   schedule lag (dispatch - slot) p99 beside it.
 *
 * Loopback only; every stream written is a fresh `bench:*` key, deleted afterwards.
 * Run alone: `npx tsx bench/publisher.ts` (add `--json` for the figures as JSON).
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { DEFAULT_CHAIN_ID } from '../src/stack/contracts.js';
import { EventGenerator, type EventMix } from '../src/engine/events/generator.js';
import { newRunId } from '../src/engine/events/identity.js';
import { publish, type PublishOutcome } from '../src/engine/publisher/publisher.js';
import { XaddBatchEncoder } from '../src/engine/publisher/xadd-encoder.js';
import { PROFILE_TOP, profileLines, Profiler, topSelfTime } from './profile.js';

export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TopRateOptions {
  /** Events per round, for both sides. Default 150,000. */
  events?: number;
  rounds?: number;
  /** Our connections. Default 8. */
  concurrency?: number;
}

export interface TopRateResult {
  ratio: number;
  ourRps: number;
  redisBenchmarkRps: number;
  /** CPU µs per event of the publisher's process at its top rate (median of the rounds). */
  cpuUsPerEvent: number;
  lines: string[];
}

export interface PacingFigure {
  targetRatePerSec: number;
  achievedRatePerSec: number;
  /** |achieved - target| / target */
  error: number;
  lagP99Ms: number;
  xaddP99Ms: number;
  published: number;
}

export interface PacingResult {
  figures: PacingFigure[];
  lines: string[];
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function benchKey(): string {
  return `bench:publisher:${newRunId()}`;
}

/**
 * The top rate compares like with like: redis-benchmark repeats one command, so both sides send
 * events of one kind, USDC Transfers, which all encode to the same size (the default mix's
 * events range from 656 to 982 bytes an XADD, with a Swap the largest). The pacing runs use the
 * default mix.
 */
const TOP_RATE_MIX: EventMix = { usdc: 1, weth: 0, dai: 0, link: 0, uniswap: 0 };

function generator(mix?: EventMix): EventGenerator {
  return new EventGenerator({ chainId: DEFAULT_CHAIN_ID, runId: newRunId(), seed: 1, mix });
}

/** Mean bytes of our XADDs to `key` over a sample of events, as the publisher encodes them. */
function meanCommandBytes(key: string, mix: EventMix): number {
  const encoder = new XaddBatchEncoder(['XADD', key, '*'], generator(mix));
  const sample = 10_000;
  for (let sequence = 0; sequence < sample; sequence++) {
    encoder.add(sequence, sequence % 8, 1_000_000_000 + sequence);
  }
  return encoder.take().length / sample;
}

/** Bytes of redis-benchmark's XADD (one command, repeated). */
function commandBytes(args: readonly string[]): number {
  let bytes = Buffer.byteLength(`*${args.length}\r\n`);
  for (const arg of args) bytes += Buffer.byteLength(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
  return bytes;
}

function redisBenchmarkFields(): string[] {
  return generator(TOP_RATE_MIX).build(123_456, 3, 1_000_000_000);
}

async function withRedis<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

/** Runs redis-benchmark XADD with the fields of one generated event; returns its requests/s. */
function redisBenchmarkXadd(key: string, events: number): Promise<number> {
  const url = new URL(REDIS_URL);
  const fields = redisBenchmarkFields();
  const args = [
    '-h',
    url.hostname,
    '-p',
    url.port || '6379',
    '-q',
    '-n',
    String(events),
    '-P',
    '32',
    'XADD',
    key,
    '*',
    ...fields,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', (error) =>
      reject(new Error(`cannot run redis-benchmark (is it installed?): ${error.message}`)),
    );
    child.on('close', (code) => {
      clearTimeout(timer);
      const matches = [...output.matchAll(/([\d.]+) requests per second/g)];
      const rps = Number(matches.at(-1)?.[1]);
      if (code !== 0 || !Number.isFinite(rps) || rps <= 0) {
        reject(new Error(`redis-benchmark failed (exit ${code}): ${output.slice(-500)}`));
      } else {
        resolve(rps);
      }
    });
  });
}

async function publishOnce(
  key: string,
  events: number,
  ratePerSec: number,
  concurrency: number,
  mix?: EventMix,
): Promise<PublishOutcome> {
  const outcome = await publish({
    redisUrl: REDIS_URL,
    streamKey: key,
    generator: generator(mix),
    events,
    durationSec: null,
    ratePerSec,
    concurrency,
    progress: 'off',
  });
  if (outcome.figures.errors > 0) {
    throw new Error(
      `publisher bench: ${outcome.figures.errors} XADDs failed: ${outcome.stopMessage}`,
    );
  }
  return outcome;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export async function benchPublisherTopRate(options: TopRateOptions = {}): Promise<TopRateResult> {
  const events = options.events ?? 150_000;
  const rounds = options.rounds ?? 7;
  const concurrency = options.concurrency ?? 8;
  const ours: number[] = [];
  const theirs: number[] = [];
  const profileText: string[] = [];
  const ratios: number[] = [];
  /** This process's CPU (user + system) per event in each of our measured rounds. */
  const cpuUsPerEvent: number[] = [];
  await withRedis(async (redis) => {
    // Warm-up: JIT of the hot path and of the generator, not measured.
    const warmKey = benchKey();
    try {
      await publishOnce(warmKey, 30_000, 0, concurrency, TOP_RATE_MIX);
    } finally {
      await redis.del(warmKey);
    }
    for (let round = 0; round < rounds; round++) {
      const pair = { ours: 0, theirs: 0 };
      const order = round % 2 === 0 ? (['theirs', 'ours'] as const) : (['ours', 'theirs'] as const);
      for (const side of order) {
        const key = benchKey();
        try {
          if (side === 'theirs') {
            pair.theirs = await redisBenchmarkXadd(key, events);
          } else {
            const cpuBefore = process.cpuUsage();
            pair.ours = (
              await publishOnce(key, events, 0, concurrency, TOP_RATE_MIX)
            ).figures.achievedRatePerSec;
            const cpu = process.cpuUsage(cpuBefore);
            cpuUsPerEvent.push((cpu.user + cpu.system) / events);
          }
        } finally {
          await redis.del(key);
        }
      }
      ours.push(pair.ours);
      theirs.push(pair.theirs);
      ratios.push(pair.ours / pair.theirs);
    }
    // One more round of ours, not counted, with the profiler on (it runs in this process).
    const key = benchKey();
    const profiler = new Profiler();
    try {
      await profiler.start();
      await publishOnce(key, events, 0, concurrency, TOP_RATE_MIX);
    } finally {
      const profile = await profiler.stop();
      await redis.del(key);
      profileText.push(
        ...profileLines('the publisher, by function', topSelfTime(profile, PROFILE_TOP)),
        ...profileLines('the publisher, by file or package', topSelfTime(profile, 5, 'place')),
      );
    }
  });
  const ratio = median(ratios);
  const ourRps = median(ours);
  const redisBenchmarkRps = median(theirs);
  const sampleKey = benchKey();
  const ourBytes = meanCommandBytes(sampleKey, TOP_RATE_MIX);
  const theirBytes = commandBytes(['XADD', sampleKey, '*', ...redisBenchmarkFields()]);
  const lines = [
    `publisher top rate: ${ratio.toFixed(2)}x redis-benchmark XADD -P 32, median of ${rounds} pairs ` +
      `(range ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}; ` +
      `ours ${fmt(ourRps)} events/s over ${concurrency} connections, redis-benchmark ${fmt(redisBenchmarkRps)} XADD/s)`,
    `  ${fmt(events)} events per side per round, USDC Transfers on both sides: the same nine fields, ` +
      `${ourBytes.toFixed(0)} bytes an XADD on average for ours, ${theirBytes} for redis-benchmark's; ` +
      `ours generates every event (unique tx_hash, block, 64 payload variants), redis-benchmark ` +
      `repeats one (over its default 50 connections)`,
    `  ours took ${median(cpuUsPerEvent).toFixed(2)} µs of CPU per event (user + system, median of ` +
      `the rounds; range ${Math.min(...cpuUsPerEvent).toFixed(2)}-${Math.max(...cpuUsPerEvent).toFixed(2)}), ` +
      `spent as the profile of one more round shows:`,
    ...profileText,
  ];
  return { ratio, ourRps, redisBenchmarkRps, cpuUsPerEvent: median(cpuUsPerEvent), lines };
}

/** Pacing runs: about `durationSec` at each target rate. */
export async function benchPacing(
  rates: readonly number[] = [1_000, 10_000, 50_000],
  durationSec = 3,
  concurrency = 10,
): Promise<PacingResult> {
  const figures: PacingFigure[] = [];
  await withRedis(async (redis) => {
    for (const targetRatePerSec of rates) {
      const key = benchKey();
      try {
        const events = Math.round(targetRatePerSec * durationSec);
        const { figures: run } = await publishOnce(key, events, targetRatePerSec, concurrency);
        figures.push({
          targetRatePerSec,
          achievedRatePerSec: run.achievedRatePerSec,
          error: Math.abs(run.achievedRatePerSec - targetRatePerSec) / targetRatePerSec,
          lagP99Ms: run.scheduleLagMs.p99,
          xaddP99Ms: run.xaddLatencyMs.p99,
          published: run.published,
        });
      } finally {
        await redis.del(key);
      }
    }
  });
  const lines = figures.map(
    (f) =>
      `pacing at ${fmt(f.targetRatePerSec)}/s: error ${(f.error * 100).toFixed(3)}% ` +
      `(achieved ${f.achievedRatePerSec.toFixed(1)}/s over ${fmt(f.published)} events), ` +
      `schedule lag p99 ${f.lagP99Ms.toFixed(2)} ms, XADD p99 ${f.xaddP99Ms.toFixed(2)} ms`,
  );
  return { figures, lines };
}

const invokedAs = process.argv[1] ? pathToFileURL(process.argv[1]).href : '';
if (import.meta.url === invokedAs) {
  const top = await benchPublisherTopRate();
  const pacing = await benchPacing();
  if (process.argv.includes('--json')) {
    const { lines: _top, ...topFigures } = top;
    process.stdout.write(`${JSON.stringify({ topRate: topFigures, pacing: pacing.figures })}\n`);
  } else {
    process.stdout.write(`${[...top.lines, ...pacing.lines].join('\n')}\n`);
  }
}
