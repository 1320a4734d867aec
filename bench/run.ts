/**
 * `npm run bench`: the engine's performance figures, each measured in this run and set against its
 * aim (issue 2). A script, not a test: it prints PASS or MISS per figure and exits 0 either way;
 * only a figure that could not be measured at all (Redis down, redis-benchmark missing) exits 1.
 * See bench/README.md.
 */
import os from 'node:os';
import { Redis } from 'ioredis';
import pc from 'picocolors';
import { benchPacing, benchPublisherTopRate, REDIS_URL } from './publisher.js';
import { benchReceiver } from './receiver.js';

const AIMS = {
  publisherTopRatio: 0.95,
  pacingError: 0.01,
  receiverRatio: 0.8,
};
/** A hung child or server must not hold a CI job: the bench normally takes about a minute. */
const OVERALL_TIMEOUT_MS = 4 * 60_000;

type Verdict = { name: string; value: string; aim: string; pass: boolean };

const verdicts: Verdict[] = [];
const failures: string[] = [];
const json = process.argv.includes('--json');
const figures: Record<string, unknown> = {};

function say(text: string): void {
  // With --json, stdout carries only the JSON; the narrative goes to stderr.
  (json ? process.stderr : process.stdout).write(`${text}\n`);
}

function verdict(entry: Verdict): void {
  verdicts.push(entry);
  const mark = entry.pass ? pc.green('PASS') : pc.yellow('MISS');
  say(`  ${mark} ${entry.name}: ${entry.value} (aim ${entry.aim})`);
}

async function section(title: string, work: () => Promise<void>): Promise<void> {
  say(pc.bold(`\n${title}`));
  const startedMs = Date.now();
  try {
    await work();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    failures.push(`${title}: ${message}`);
    say(pc.red(`  could not measure: ${message}`));
  }
  say(pc.dim(`  (${((Date.now() - startedMs) / 1000).toFixed(1)} s)`));
}

async function redisVersion(): Promise<string> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    connectTimeout: 3_000,
  });
  try {
    await redis.connect();
    const info = await redis.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
}

const watchdog = setTimeout(() => {
  process.stderr.write(`bench: gave up after ${OVERALL_TIMEOUT_MS / 1000} s\n`);
  process.exit(1);
}, OVERALL_TIMEOUT_MS);
watchdog.unref();

const cpus = os.cpus();
say(
  pc.bold('ethhook-load-test bench') +
    pc.dim(
      ` · ${cpus[0]?.model.trim() ?? 'unknown CPU'} x ${cpus.length} · load ${os
        .loadavg()
        .map((load) => load.toFixed(2))
        .join(' ')} · Node ${process.version}`,
    ),
);

await section('Redis', async () => {
  say(`  ${REDIS_URL}, Redis ${await redisVersion()}`);
});

if (failures.length === 0) {
  await section('Publisher top rate (rate 0) vs redis-benchmark XADD -P 32', async () => {
    const top = await benchPublisherTopRate();
    figures.publisherTopRate = { ...top, lines: undefined };
    for (const line of top.lines) say(`  ${line}`);
    verdict({
      name: 'publisher top rate',
      value: `${top.ratio.toFixed(2)}x`,
      aim: `>= ${AIMS.publisherTopRatio}x`,
      pass: top.ratio >= AIMS.publisherTopRatio,
    });
  });

  await section('Publisher pacing at 1k, 10k and 50k events/s', async () => {
    const pacing = await benchPacing();
    figures.pacing = pacing.figures;
    for (const line of pacing.lines) say(`  ${line}`);
    for (const figure of pacing.figures) {
      verdict({
        name: `pacing error at ${figure.targetRatePerSec.toLocaleString('en-US')}/s`,
        value: `${(figure.error * 100).toFixed(3)}% (lag p99 ${figure.lagP99Ms.toFixed(2)} ms)`,
        aim: `<= ${AIMS.pacingError * 100}%`,
        pass: figure.error <= AIMS.pacingError,
      });
    }
  });
}

await section('Receiver throughput vs a bare fastify handler', async () => {
  const receiver = await benchReceiver();
  figures.receiver = { ratio: receiver.ratio, ourRps: receiver.ourRps, bareRps: receiver.bareRps };
  for (const line of receiver.lines) say(`  ${line}`);
  verdict({
    name: 'receiver throughput',
    value: `${receiver.ratio.toFixed(2)}x`,
    aim: `>= ${AIMS.receiverRatio}x`,
    pass: receiver.ratio >= AIMS.receiverRatio,
  });
});

const passed = verdicts.filter((entry) => entry.pass).length;
say(
  pc.bold(
    `\n${passed}/${verdicts.length} figures meet their aim` +
      (failures.length > 0 ? `; ${failures.length} could not be measured` : ''),
  ),
);
if (json) {
  process.stdout.write(`${JSON.stringify({ aims: AIMS, figures, verdicts, failures })}\n`);
}
process.exitCode = failures.length > 0 ? 1 : 0;
