import type { MetricId } from '../compare/metrics.js';
import { DEFAULT_TOLERANCE } from '../compare/tolerance.js';
import { DEFAULT_MIX } from '../engine/events/generator.js';
import { DEFAULT_HOST } from '../engine/receiver/receiver.js';
import { defaultWarmupEvents, resolveShape } from '../engine/run/scenarios.js';
import type { LoadShape, RunOptions } from '../engine/run/types.js';
import type { ServiceSettings } from '../services/registry.js';
import {
  CONTAINER_RECEIVER_HOST,
  containerWebhookUrl,
  SETTINGS,
  THROUGHPUT_THRESHOLDS,
  settingOf,
  type SettingKey,
  type SettingValues,
} from './declaration.js';
import { parseWith } from './kinds.js';

/** Where the settings come from: an action's inputs or the CLI's flags. */
export type Surface = 'action' | 'cli';

/** A setting the user got wrong (or two that contradict each other), in the user's words. */
export class SettingError extends Error {
  constructor(
    message: string,
    /** The settings involved. */
    readonly keys: readonly SettingKey[],
  ) {
    super(message);
    this.name = 'SettingError';
  }
}

/** The long flag of a commander flag spec: `-n, --events <n>` -> `--events`. */
export function longFlag(flag: string): string {
  const long = /--[a-z0-9-]+/.exec(flag)?.[0];
  if (!long) throw new Error(`flag spec without a long flag: ${flag}`);
  return long;
}

/**
 * The setting as the user wrote it, for messages: `input trials`, `--trials`, or (a setting the
 * action reads from the project file only) its key.
 */
export function nameOn(surface: Surface, key: SettingKey): string {
  const declared = settingOf(key);
  if (surface === 'action') return declared.input ? `input ${declared.name}` : declared.name;
  if (declared.flag === null) throw new Error(`setting ${key} is not a CLI flag`);
  return longFlag(declared.flag);
}

/** Names a setting in messages; a surface passes one that knows which came from the project file. */
export type Labels = (key: SettingKey) => string;

/** One text to a value with the declaration's kind; the message names the input or flag. */
export function parseSetting<K extends SettingKey>(
  key: K,
  text: string,
  label: string,
):
  | { ok: true; value: SettingValues[K] }
  | { ok: false; message: string; ownWords: boolean; shown: string } {
  const { kind } = SETTINGS[key];
  const outcome = parseWith(kind as never, text, label);
  if (outcome.ok) return { ok: true, value: outcome.value as SettingValues[K] };
  return { ...outcome, shown: kind.show ? kind.show(text) : text };
}

/** The baseline's file: a bare name means baselines/<name>.json; a slash or .json, a path. */
export function baselineFileOf(text: string): string {
  return /[/\\]|\.json$/i.test(text) ? text : `baselines/${text}.json`;
}

/** What the user gave; a key that is absent (or undefined) was not given. */
export type Given = { [K in SettingKey]?: SettingValues[K] | undefined };

/**
 * The value of a setting: given, else (CLI) its environment variable, else its default. The
 * environment variable is checked like a flag, and a bad one names the variable.
 */
export function valueOf<K extends SettingKey>(
  given: Given,
  key: K,
  surface: Surface,
  env: NodeJS.ProcessEnv = {},
): SettingValues[K] | undefined {
  const value = given[key];
  if (value !== undefined) return value as SettingValues[K];
  const declared = settingOf(key);
  const variable = surface === 'cli' && declared.env ? env[declared.env] : undefined;
  if (variable) {
    const parsed = parseSetting(key, variable, `$${declared.env}`);
    if (!parsed.ok) {
      throw new SettingError(
        `$${declared.env} (the default of ${nameOn(surface, key)}): "${parsed.shown}". ${parsed.message}`,
        [key],
      );
    }
    return parsed.value;
  }
  return declared.default;
}

/**
 * How the SUT runs: compose files, a start command, or neither (it is already running). The
 * files are as given; the surface resolves them against its own folder.
 */
export function resolveServices(
  given: Given,
  surface: Surface,
  label: Labels = (key) => nameOn(surface, key),
): ServiceSettings {
  const files = given.composeFile ?? [];
  const command = given.startCommand;
  if (files.length > 0 && command) {
    const compose = label('composeFile');
    const start = label('startCommand');
    throw new SettingError(
      `${compose} and ${start} are both set; give one: ${compose} to run the SUT with Docker Compose, ${start} to run it as a command, or neither when it is already running.`,
      ['composeFile', 'startCommand'],
    );
  }
  if (files.length > 0) return { mode: 'compose', files };
  if (command) return { mode: 'command', command };
  return { mode: 'external' };
}

/** What a measured run needs from its settings: the engine's RunOptions without the wiring. */
export type RunSettings = Omit<RunOptions, 'progress' | 'logger' | 'signal' | 'sutWatch'> & {
  trials: number;
};

export interface RunContext {
  surface: Surface;
  /** The CLI's environment ($REDIS_URL, $DATABASE_URL); the action passes none. */
  env?: NodeJS.ProcessEnv;
  /** The SUT runs in containers: the receiver must be reachable through the Docker bridge. */
  containers?: boolean;
  /** A duration at rate 0 is "as fast as possible until then" (the stand-alone publisher). */
  openEnded?: boolean;
  /** Names settings in messages (default: nameOn). */
  label?: Labels;
}

/** The scenario with the given fields laid over it, checked by the one set of shape rules. */
export function resolveLoadShape(given: Given, context: RunContext): LoadShape {
  const { surface } = context;
  const name = context.label ?? ((key: SettingKey): string => nameOn(surface, key));
  try {
    return resolveShape(
      valueOf(given, 'scenario', surface) ?? 'quick',
      {
        events: given.events,
        ratePerSec: given.rate,
        concurrency: given.concurrency,
        durationSec: given.duration,
      },
      {
        scenario: name('scenario'),
        events: name('events'),
        rate: name('rate'),
        concurrency: name('concurrency'),
        duration: name('duration'),
      },
      { openEnded: context.openEnded ?? false },
    );
  } catch (error) {
    throw new SettingError(error instanceof Error ? error.message : String(error), [
      'events',
      'rate',
      'concurrency',
      'duration',
    ]);
  }
}

/** Every setting of a measured run, defaults applied and cross-field rules checked. */
export function resolveRunSettings(given: Given, context: RunContext): RunSettings {
  const { surface, env = {}, containers = false } = context;
  const value = <K extends SettingKey>(key: K): SettingValues[K] | undefined =>
    valueOf(given, key, surface, env);
  const required = <K extends SettingKey>(key: K): SettingValues[K] => {
    const found = value(key);
    if (found === undefined) throw new Error(`setting ${key} has no default`);
    return found;
  };
  const shape = resolveLoadShape(given, context);
  const receiverPath = required('receiverPath');
  const publicUrl =
    value('webhookUrl') ?? (containers ? containerWebhookUrl(receiverPath) : undefined);
  return {
    ...shape,
    trials: required('trials'),
    warmupEvents: value('warmup') ?? defaultWarmupEvents(shape.ratePerSec),
    chainId: required('chainId'),
    seed: required('seed'),
    mix: value('mix') ?? DEFAULT_MIX,
    redisUrl: required('redisUrl'),
    databaseUrl: required('databaseUrl'),
    applySchema: required('applySchema'),
    seedBeforeStart: required('seedBeforeStart'),
    sutHealthUrls: required('sutHealthUrls'),
    readyTimeoutMs: required('readyTimeout') * 1000,
    drainTimeoutMs: required('drainTimeout') * 1000,
    receiver: {
      host: value('receiverHost') ?? (containers ? CONTAINER_RECEIVER_HOST : DEFAULT_HOST),
      port: required('receiverPort'),
      path: receiverPath,
      ...(publicUrl ? { publicUrl } : {}),
      failureRate: required('failRate'),
      failureStatus: required('failStatus'),
      delayMs: required('delayMs'),
      stallMs: required('stallMs'),
      stallAtSec: required('stallAtSec'),
    },
    thresholds: { maxAvgLatencyMs: required('maxAvgLatencyMs'), ...THROUGHPUT_THRESHOLDS },
  };
}

export interface JudgeSettings {
  tolerance: number;
  /** null: the catalogue's default gated metrics. */
  gatedMetrics: MetricId[] | null;
  /** Rounds measured before the first verdict. */
  minRounds: number;
  /** Rounds at most; at the limit an undecided figure makes the verdict inconclusive. */
  maxRounds: number;
}

/** How the check judges: the tolerance, the gated figures and the rounds, checked together. */
export function resolveJudgeSettings(
  given: Given,
  surface: Surface,
  label: Labels = (key) => nameOn(surface, key),
): JudgeSettings {
  const value = <K extends SettingKey>(key: K): SettingValues[K] | undefined =>
    valueOf(given, key, surface);
  const minRounds = value('rounds')!;
  const maxRounds = value('maxRounds')!;
  if (maxRounds < minRounds) {
    throw new SettingError(
      `${label('maxRounds')} ${maxRounds} is below ${label('rounds')} ${minRounds}: ` +
        'the rounds measured before the first verdict cannot exceed the rounds at most; raise the first or lower the second.',
      ['rounds', 'maxRounds'],
    );
  }
  return {
    tolerance: value('tolerance') ?? DEFAULT_TOLERANCE,
    gatedMetrics: value('gate') ?? null,
    minRounds,
    maxRounds,
  };
}
