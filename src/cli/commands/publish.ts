import { InvalidArgumentError, type Command } from 'commander';
import pc from 'picocolors';
import { streamKey } from '../../stack/contracts.js';
import { ONE_HOST_NOTE } from '../../engine/clock.js';
import { EventGenerator, type EventMix } from '../../engine/events/generator.js';
import { isRunId, newRunId } from '../../engine/events/identity.js';
import type { LatencySummaryMs } from '../../engine/measure/histogram.js';
import type { ProgressMode } from '../../engine/publisher/progress.js';
import {
  MAX_CONCURRENCY,
  plannedEvents,
  publish,
  RedisUnavailableError,
  type PublishOutcome,
} from '../../engine/publisher/publisher.js';
import { maskUrl } from '../../shared/redact.js';
import { UserError } from '../errors.js';
import { addEventFlags, progressOption } from '../flags.js';
import {
  defaultRedisUrl,
  nonNegativeNumber,
  positiveInt,
  positiveNumber,
  redisUrl,
} from '../options.js';

/** Used when neither --events nor --duration is given; the same shape as the quick scenario. */
export const DEFAULT_EVENTS = 1_000;
export const DEFAULT_RATE_PER_SEC = 500;
export const DEFAULT_CONCURRENCY = 5;

export interface PublishFlags {
  events?: number;
  rate: number;
  concurrency: number;
  duration?: number;
  redisUrl: string;
  chainId: number;
  seed: number;
  mix?: EventMix;
  runId?: string;
  maxLen?: number;
  progress: ProgressMode;
  json: boolean;
}

function runIdArgument(raw: string): string {
  if (!isRunId(raw)) throw new InvalidArgumentError('Expected 16 lowercase hex characters.');
  return raw;
}

function concurrencyArgument(raw: string): number {
  const value = positiveInt(raw);
  if (value > MAX_CONCURRENCY) {
    throw new InvalidArgumentError(`Expected at most ${MAX_CONCURRENCY} connections.`);
  }
  return value;
}

/** The cross-flag rules; each flag's own range is checked as it is parsed. */
export function resolvePublishShape(flags: PublishFlags): {
  events: number | null;
  durationSec: number | null;
  planned: number;
} {
  if (flags.events !== undefined && flags.duration !== undefined) {
    throw new UserError(
      `--events ${flags.events} and --duration ${flags.duration} both given: a run is bounded by a count or by a length of time, give one.`,
    );
  }
  const events = flags.duration === undefined ? (flags.events ?? DEFAULT_EVENTS) : null;
  const durationSec = flags.duration ?? null;
  const planned = plannedEvents(events, durationSec, flags.rate);
  if (flags.concurrency > planned) {
    const source =
      events !== null
        ? `--events ${events}`
        : `--rate ${flags.rate} x --duration ${durationSec} = ${planned} events`;
    throw new UserError(
      `--concurrency ${flags.concurrency} is above the events of the run (${source}); use at most ${planned} publishers.`,
    );
  }
  return { events, durationSec, planned };
}

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmtMs = (ms: number): string => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
const fmtLatency = (s: LatencySummaryMs): string =>
  `p50 ${fmtMs(s.p50)} · p90 ${fmtMs(s.p90)} · p99 ${fmtMs(s.p99)} · p99.9 ${fmtMs(s.p999)} · max ${fmtMs(s.max)}`;

export function formatPublishSummary(
  outcome: PublishOutcome,
  context: { streamKey: string; runId: string },
): string {
  const { figures } = outcome;
  const lines: string[] = [];
  const target =
    figures.targetRatePerSec === 0
      ? 'as fast as possible'
      : `target ${fmtInt(figures.targetRatePerSec)}/s`;
  lines.push(
    pc.bold(
      `Published ${fmtInt(figures.published)} events to ${context.streamKey} (run ${context.runId})`,
    ),
  );
  const rateNote =
    figures.targetRatePerSec === 0
      ? ''
      : figures.rateMet
        ? pc.green(' ✔ at least 99% of the target')
        : pc.yellow(' ⚠ below 99% of the target: the planned load was not delivered');
  lines.push(`  rate      ${fmtInt(figures.achievedRatePerSec)}/s, ${target}${rateNote}`);
  lines.push(
    `  errors    ${
      figures.errors === 0
        ? pc.green('0')
        : pc.red(`${fmtInt(figures.errors)} XADDs failed (not in the stream)`)
    }`,
  );
  lines.push(`  XADD      ${fmtLatency(figures.xaddLatencyMs)} ${pc.dim('(ack − intended send)')}`);
  if (figures.targetRatePerSec > 0) {
    lines.push(
      `  lag       ${fmtLatency(figures.scheduleLagMs)} ${pc.dim('(dispatch − schedule slot)')}`,
    );
  }
  lines.push(`  elapsed   ${(figures.elapsedMs / 1000).toFixed(2)} s`);
  if (outcome.stopReason !== 'completed') {
    lines.push(
      pc.yellow(`  stopped   ${outcome.stopReason}: ${outcome.stopMessage ?? ''}`.trimEnd()),
    );
  } else if (outcome.stopMessage) {
    lines.push(pc.red(`  first error: ${outcome.stopMessage}`));
  }
  return `${lines.join('\n')}\n`;
}

/** Ctrl-C once: stop sending and report what was done; twice: leave at once. */
function interruptible(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(
      pc.yellow('\nstopping: waiting for XADDs in flight (Ctrl-C again to quit at once)\n'),
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export async function publishCommand(flags: PublishFlags): Promise<void> {
  const shape = resolvePublishShape(flags);
  const key = streamKey(flags.chainId);
  const runId = flags.runId ?? newRunId();
  const generator = new EventGenerator({
    chainId: flags.chainId,
    runId,
    seed: flags.seed,
    ...(flags.mix ? { mix: flags.mix } : {}),
  });
  const size = Number.isFinite(shape.planned)
    ? `${fmtInt(shape.planned)} events`
    : `for ${shape.durationSec} s`;
  const pace = flags.rate === 0 ? 'as fast as possible' : `at ${fmtInt(flags.rate)}/s`;
  process.stderr.write(
    `${pc.bold('publishing')} ${size} ${pace} over ${flags.concurrency} connection(s) to ` +
      `${pc.cyan(key)} on ${maskUrl(flags.redisUrl)} ${pc.dim(`(run id ${runId})`)}\n`,
  );

  const interrupt = interruptible();
  let outcome: PublishOutcome;
  try {
    outcome = await publish({
      redisUrl: flags.redisUrl,
      streamKey: key,
      generator,
      events: shape.events,
      durationSec: shape.durationSec,
      ratePerSec: flags.rate,
      concurrency: flags.concurrency,
      progress: flags.progress,
      signal: interrupt.signal,
      ...(flags.maxLen !== undefined ? { maxLenApprox: flags.maxLen } : {}),
    });
  } catch (error) {
    if (error instanceof RedisUnavailableError) {
      throw new UserError(`${error.message} (check --redis-url)`);
    }
    throw error;
  } finally {
    interrupt.dispose();
  }

  if (flags.json) {
    const machine = {
      runId,
      streamKey: key,
      t0Us: outcome.t0Us,
      attempted: outcome.attempted,
      failedSequences: outcome.failedSequences,
      stopReason: outcome.stopReason,
      stopMessage: outcome.stopMessage,
      publisher: outcome.figures,
    };
    process.stdout.write(`${JSON.stringify(machine)}\n`);
  } else {
    process.stdout.write(formatPublishSummary(outcome, { streamKey: key, runId }));
  }
  if (outcome.stopReason === 'aborted') process.exitCode = 130;
  else if (outcome.figures.errors > 0 || outcome.stopReason !== 'completed') process.exitCode = 1;
}

export function registerPublishCommand(program: Command): void {
  addEventFlags(
    program
      .command('publish')
      .description(
        'Publish realistic events into the Redis stream on an open-loop schedule and measure XADD latency.',
      )
      .addHelpText('after', ONE_HOST_NOTE)
      .option(
        '-n, --events <n>',
        `number of events to publish (default ${DEFAULT_EVENTS} unless --duration)`,
        positiveInt,
      )
      .option(
        '-r, --rate <n>',
        'target rate in events/s on one global schedule; 0 = as fast as possible',
        nonNegativeNumber,
        DEFAULT_RATE_PER_SEC,
      )
      .option(
        '-c, --concurrency <n>',
        'concurrent publishers, one Redis connection each',
        concurrencyArgument,
        DEFAULT_CONCURRENCY,
      )
      .option(
        '-d, --duration <seconds>',
        'publish for this long instead of a count (rate x duration events; rate 0: until then)',
        positiveNumber,
      )
      .option(
        '--redis-url <url>',
        'Redis to publish to (default $REDIS_URL, else redis://127.0.0.1:6379)',
        redisUrl,
        defaultRedisUrl(),
      ),
  )
    .option(
      '--run-id <id>',
      'run id carried in every tx_hash (default: random); pass the same to `receive --run-id`',
      runIdArgument,
    )
    .option('--max-len <n>', 'cap the stream with XADD MAXLEN ~ n', positiveInt)
    .addOption(progressOption())
    .option('--json', 'print the outcome as JSON on stdout (progress stays on stderr)', false)
    .action((flags: PublishFlags) => publishCommand(flags));
}
