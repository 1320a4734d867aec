import { InvalidArgumentError, type Command } from 'commander';
import pc from 'picocolors';
import { streamKey } from '../../stack/contracts.js';
import { ONE_HOST_NOTE } from '../../engine/clock.js';
import { EventGenerator } from '../../engine/events/generator.js';
import { isRunId, newRunId } from '../../engine/events/identity.js';
import type { LatencySummaryMs } from '../../engine/measure/histogram.js';
import {
  plannedEvents,
  publish,
  RedisUnavailableError,
  type PublishOutcome,
} from '../../engine/publisher/publisher.js';
import { maskUrl } from '../../shared/redact.js';
import type { LoadShape } from '../../engine/run/types.js';
import type { SettingKey } from '../../settings/declaration.js';
import { resolveLoadShape, SettingError, valueOf, type Given } from '../../settings/resolve.js';
import { EXIT_CODES } from '../../check/exit.js';
import { UserError } from '../errors.js';
import { positiveInt } from '../options.js';
import { addSettingFlags, settingOption } from '../settings-flags.js';

/** The declared flags of `publish` (src/settings); a publish is shaped like a run. */
export const PUBLISH_FLAG_KEYS = [
  'scenario',
  'events',
  'rate',
  'concurrency',
  'duration',
  'redisUrl',
  'chainId',
  'seed',
  'mix',
] as const satisfies readonly SettingKey[];

export type PublishFlags = Pick<Given, (typeof PUBLISH_FLAG_KEYS)[number] | 'progress' | 'json'> & {
  runId?: string;
  maxLen?: number;
};

function runIdArgument(raw: string): string {
  if (!isRunId(raw)) throw new InvalidArgumentError('Expected 16 lowercase hex characters.');
  return raw;
}

/** The publish's shape and connection, by the same rules and defaults as a run's. */
export function resolvePublish(flags: PublishFlags): {
  shape: LoadShape;
  planned: number;
  redisUrl: string;
  chainId: number;
  seed: number;
} {
  try {
    // A duration at rate 0 is "as fast as possible until then": a publishing benchmark.
    const shape = resolveLoadShape(flags, { surface: 'cli', openEnded: true });
    return {
      shape,
      planned: plannedEvents(shape.events, shape.durationSec, shape.ratePerSec),
      redisUrl: valueOf(flags, 'redisUrl', 'cli', process.env)!,
      chainId: valueOf(flags, 'chainId', 'cli')!,
      seed: valueOf(flags, 'seed', 'cli')!,
    };
  } catch (error) {
    if (error instanceof SettingError) throw new UserError(error.message);
    throw error;
  }
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
  const { shape, planned, redisUrl, chainId, seed } = resolvePublish(flags);
  const key = streamKey(chainId);
  const runId = flags.runId ?? newRunId();
  const generator = new EventGenerator({
    chainId,
    runId,
    seed,
    ...(flags.mix ? { mix: flags.mix } : {}),
  });
  const size = Number.isFinite(planned)
    ? `${fmtInt(planned)} events`
    : `for ${shape.durationSec} s`;
  const pace = shape.ratePerSec === 0 ? 'as fast as possible' : `at ${fmtInt(shape.ratePerSec)}/s`;
  process.stderr.write(
    `${pc.bold('publishing')} ${size} ${pace} over ${shape.concurrency} connection(s) to ` +
      `${pc.cyan(key)} on ${maskUrl(redisUrl)} ${pc.dim(`(run id ${runId})`)}\n`,
  );

  const interrupt = interruptible();
  let outcome: PublishOutcome;
  try {
    outcome = await publish({
      redisUrl,
      streamKey: key,
      generator,
      events: shape.events,
      durationSec: shape.durationSec,
      ratePerSec: shape.ratePerSec,
      concurrency: shape.concurrency,
      progress: flags.progress ?? 'auto',
      signal: interrupt.signal,
      ...(flags.maxLen !== undefined ? { maxLenApprox: flags.maxLen } : {}),
    });
  } catch (error) {
    if (error instanceof RedisUnavailableError) {
      throw new UserError(`${error.message} (check --redis-url)`, EXIT_CODES.service);
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
  addSettingFlags(
    program
      .command('publish')
      .description(
        'Publish realistic events into the Redis stream on an open-loop schedule and measure XADD latency.',
      )
      .addHelpText('after', ONE_HOST_NOTE),
    PUBLISH_FLAG_KEYS,
  )
    .option(
      '--run-id <id>',
      'run id carried in every tx_hash (default: random); pass the same to `receive --run-id`',
      runIdArgument,
    )
    .option('--max-len <n>', 'cap the stream with XADD MAXLEN ~ n', positiveInt)
    .addOption(settingOption('progress'))
    .addOption(
      settingOption('json', {
        help: 'Print the outcome as JSON on stdout (progress stays on stderr)',
      }),
    )
    .action((flags: PublishFlags) => publishCommand(flags));
}
