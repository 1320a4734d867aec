import { tmpdir } from 'node:os';
import path from 'node:path';
import { howToCreateBaseline, isValidBaselineName } from '../compare/baseline.js';
import { parseMetricList, parseNoiseFloors, type MetricId } from '../compare/metrics.js';
import { DEFAULT_TOLERANCE, parseTolerance } from '../compare/tolerance.js';
import { DEFAULT_CHAIN_ID } from '../stack/contracts.js';
import { DEFAULT_MIX, parseMix, type EventMix } from '../engine/events/generator.js';
import { defaultWarmupEvents, resolveShape } from '../engine/run/scenarios.js';
import { urlPasswords } from '../shared/redact.js';
import type { AbsoluteThresholds, LoadShape, ReceiverSettings } from '../engine/run/types.js';
import type { ServiceSettings } from '../services/registry.js';
import { ActionFailure } from './failure.js';
import {
  COMMENT_POLICIES,
  Inputs,
  MODES,
  type CommentPolicy,
  type InputName,
  type Mode,
} from './constants.js';

/** A bad input: the message names the input, the value given and what would be valid. */
export class InputError extends ActionFailure {
  constructor(message: string) {
    super(message, 'Invalid input');
    this.name = 'InputError';
  }
}

export interface InputSource {
  /** The input's value, trimmed; '' when not given. */
  getInput(name: string): string;
}

/** What the parser may look at besides the inputs. */
export interface InputEnvironment {
  env: NodeJS.ProcessEnv;
  fileExists(path: string): boolean;
}

/** How the SUT runs: one of the service layer's modes (src/services/registry.ts). */
export type ServicesConfig = ServiceSettings;

/** The load and the services: everything the engine's runTrials needs except the logger. */
export interface LoadConfig extends LoadShape {
  trials: number;
  warmupEvents: number;
  chainId: number;
  seed: number;
  mix: EventMix;
  redisUrl: string;
  databaseUrl: string;
  applySchema: boolean;
  /** Start the SUT after seeding, for a SUT that reads its endpoints only at start-up. */
  seedBeforeStart: boolean;
  sutHealthUrls: string[];
  readyTimeoutMs: number;
  drainTimeoutMs: number;
  receiver: ReceiverSettings;
  thresholds: AbsoluteThresholds;
}

export interface JudgeConfig {
  tolerance: number;
  noiseFloors: Partial<Record<MetricId, number>>;
  /** null: the comparison's default gated metrics. */
  gatedMetrics: MetricId[] | null;
  failOnRegression: boolean;
  failOnInconclusive: boolean;
  /** Compare only with a baseline of the exact CPU model (default: the family and the probe). */
  requireSameEnvironment: boolean;
}

export interface BaselineConfig {
  /** Names the sticky comment and the baseline file. */
  name: string;
  path: string;
  /** As given (relative to the working directory), for messages. */
  displayPath: string;
}

interface CommonConfig {
  workingDirectory: string;
  /** Where result.json, report.md, comment.json and the service logs go. */
  outputDir: string;
  comment: CommentPolicy;
  githubToken: string;
  /** Values the runner must mask in every log line (passwords of connection URLs). */
  secrets: string[];
}

export interface MeasureConfig extends CommonConfig {
  mode: 'check' | 'baseline';
  load: LoadConfig;
  services: ServicesConfig;
  baseline: BaselineConfig;
  judge: JudgeConfig;
  /** Mode baseline: open or update one issue when the nightly figures shifted recently. */
  driftIssue: boolean;
}

export interface CommentOnlyConfig extends CommonConfig {
  mode: 'comment';
  /** comment.json written by a check-mode run (the first stage of the fork-safe pattern). */
  commentFile: string;
}

export type ActionConfig = MeasureConfig | CommentOnlyConfig;

export const DEFAULTS = {
  mode: 'check',
  scenario: 'quick',
  trials: 3,
  seed: 1,
  redisUrl: 'redis://127.0.0.1:6379',
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
  readyTimeoutSec: 120,
  drainTimeoutSec: 10,
  receiverPath: '/webhook',
  composeReceiverUrl: 'http://host.docker.internal:{port}/webhook',
  comment: 'always',
  baselineDir: 'baselines',
  outputDirName: 'ethhook-load-test',
  /** The original tool's absolute verdicts, as the CLI's defaults. */
  thresholds: { maxAvgLatencyMs: 500, excellentThroughputPerSec: 1000, goodThroughputPerSec: 500 },
} as const;

function invalid(input: InputName, value: string, expected: string): InputError {
  return new InputError(`Invalid input ${input}: "${value}". Expected ${expected}.`);
}

/** Wraps the parsers of src/compare and src/engine, whose messages already name the input. */
function rethrowAsInputError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw new InputError(error instanceof Error ? error.message : String(error));
  }
}

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i;

class Reader {
  constructor(private readonly source: InputSource) {}

  raw(name: InputName): string {
    return this.source.getInput(name).trim();
  }

  private number(
    name: InputName,
    expected: string,
    accept: (value: number) => boolean,
  ): number | undefined {
    const text = this.raw(name);
    if (text === '') return undefined;
    const value = NUMBER.test(text) ? Number(text) : Number.NaN;
    if (!Number.isFinite(value) || !accept(value)) throw invalid(name, text, expected);
    return value;
  }

  positiveInt(name: InputName, what: string): number | undefined {
    return this.number(
      name,
      `a whole number of at least 1 (${what})`,
      (v) => Number.isInteger(v) && v >= 1,
    );
  }

  nonNegativeInt(name: InputName, what: string): number | undefined {
    return this.number(
      name,
      `a whole number of 0 or more (${what})`,
      (v) => Number.isInteger(v) && v >= 0,
    );
  }

  nonNegative(name: InputName, what: string): number | undefined {
    return this.number(name, `a number of 0 or more (${what})`, (v) => v >= 0);
  }

  positive(name: InputName, what: string): number | undefined {
    return this.number(name, `a number above 0 (${what})`, (v) => v > 0);
  }

  port(name: InputName): number | undefined {
    return this.number(
      name,
      'a port from 0 to 65535 (0 picks a free one)',
      (v) => Number.isInteger(v) && v <= 65535 && v >= 0,
    );
  }

  boolean(name: InputName, fallback: boolean): boolean {
    const text = this.raw(name);
    if (text === '') return fallback;
    if (['true', 'True', 'TRUE'].includes(text)) return true;
    if (['false', 'False', 'FALSE'].includes(text)) return false;
    throw invalid(name, text, 'true or false');
  }

  choice<T extends string>(name: InputName, choices: readonly T[], fallback: T): T {
    const text = this.raw(name);
    if (text === '') return fallback;
    if ((choices as readonly string[]).includes(text)) return text as T;
    throw invalid(name, text, `one of ${choices.join(', ')}`);
  }

  /** Items separated by newlines or commas (YAML block scalars or one line). */
  list(name: InputName): string[] {
    return this.raw(name)
      .split(/[\n,]/)
      .map((item) => item.trim())
      .filter(Boolean);
  }

  url(name: InputName, fallback: string, protocols: readonly string[], example: string): string {
    const text = this.raw(name) || fallback;
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      throw invalid(name, maskForMessage(text), `a URL such as ${example}`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw invalid(
        name,
        maskForMessage(text),
        `a ${protocols.join(' or ')} URL such as ${example}`,
      );
    }
    return text;
  }
}

function maskForMessage(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

function resolveFrom(base: string, file: string): string {
  return path.resolve(base, file);
}

function readServices(
  read: Reader,
  workingDirectory: string,
  environment: InputEnvironment,
): ServicesConfig {
  const composeFiles = read.list(Inputs.ComposeFile);
  const startCommand = read.raw(Inputs.StartCommand);
  if (composeFiles.length > 0 && startCommand) {
    throw new InputError(
      `Inputs ${Inputs.ComposeFile} and ${Inputs.StartCommand} are both set; give one: ${Inputs.ComposeFile} to run the SUT with Docker Compose, ${Inputs.StartCommand} to run it as a command, or neither when it is already running.`,
    );
  }
  if (composeFiles.length > 0) {
    const files = composeFiles.map((file) => resolveFrom(workingDirectory, file));
    files.forEach((file, index) => {
      if (!environment.fileExists(file)) {
        throw new InputError(
          `Invalid input ${Inputs.ComposeFile}: "${composeFiles[index]}" does not exist (looked for ${file}). Expected paths of compose files, relative to ${Inputs.WorkingDirectory}, one per line.`,
        );
      }
    });
    return { mode: 'compose', files };
  }
  if (startCommand) return { mode: 'command', command: startCommand };
  return { mode: 'external' };
}

function readShape(read: Reader): LoadShape {
  const scenario = read.raw(Inputs.Scenario) || DEFAULTS.scenario;
  const overrides = {
    events: read.positiveInt(Inputs.Events, 'events to publish'),
    ratePerSec: read.nonNegative(Inputs.Rate, 'events per second; 0 = as fast as possible'),
    concurrency: read.positiveInt(Inputs.Concurrency, 'concurrent publishers'),
    durationSec: read.positive(Inputs.Duration, 'seconds of publishing'),
  };
  try {
    return resolveShape(scenario, overrides, Inputs.Scenario);
  } catch (error) {
    // The cross-field rules name the CLI's flags; the inputs have the same names without dashes.
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError(message.replace(/--(events|rate|concurrency|duration)\b/g, 'input $1'));
  }
}

function readBaseline(
  read: Reader,
  mode: 'check' | 'baseline',
  scenario: string,
  workingDirectory: string,
  environment: InputEnvironment,
): BaselineConfig {
  const given = read.raw(Inputs.Baseline);
  // A bare name means baselines/<name>.json; anything with a slash or .json is a path.
  const displayPath =
    given === ''
      ? `${DEFAULTS.baselineDir}/${scenario}.json`
      : /[/\\]|\.json$/i.test(given)
        ? given
        : `${DEFAULTS.baselineDir}/${given}.json`;
  const name = path.basename(displayPath).replace(/\.json$/i, '');
  if (!isValidBaselineName(name)) {
    throw invalid(
      Inputs.Baseline,
      given,
      `a baseline name or a path ending in <name>.json, where the name has letters, digits, '.', '_' and '-' (e.g. baselines/quick.json)`,
    );
  }
  const baselinePath = resolveFrom(workingDirectory, displayPath);
  if (mode === 'check' && !environment.fileExists(baselinePath)) {
    throw new InputError(
      `Invalid input ${Inputs.Baseline}: "${displayPath}" does not exist (looked for ${baselinePath}). In mode check the baseline must exist. ${howToCreateBaseline(name)}`,
    );
  }
  return { name, path: baselinePath, displayPath };
}

function readLoad(read: Reader, services: ServicesConfig): LoadConfig {
  const shape = readShape(read);
  const inCompose = services.mode === 'compose';
  const receiverUrl =
    read.raw(Inputs.ReceiverUrl) || (inCompose ? DEFAULTS.composeReceiverUrl : '');
  if (receiverUrl) {
    try {
      new URL(receiverUrl.replaceAll('{port}', '1'));
    } catch {
      throw invalid(
        Inputs.ReceiverUrl,
        receiverUrl,
        'the URL the SUT must call, such as http://host.docker.internal:{port}/webhook ({port} = the receiver port)',
      );
    }
  }
  const mixText = read.raw(Inputs.Mix);
  return {
    ...shape,
    trials:
      read.positiveInt(Inputs.Trials, 'measured runs; the verdict takes their median') ??
      DEFAULTS.trials,
    warmupEvents:
      read.nonNegativeInt(Inputs.WarmupEvents, 'events published before measuring') ??
      defaultWarmupEvents(shape.ratePerSec),
    chainId: read.positiveInt(Inputs.ChainId, 'a chain id such as 11155111') ?? DEFAULT_CHAIN_ID,
    seed: DEFAULTS.seed,
    mix: mixText ? rethrowAsInputError(() => parseMix(mixText, Inputs.Mix)) : DEFAULT_MIX,
    redisUrl: read.url(
      Inputs.RedisUrl,
      DEFAULTS.redisUrl,
      ['redis:', 'rediss:'],
      'redis://127.0.0.1:6379',
    ),
    databaseUrl: read.url(
      Inputs.DatabaseUrl,
      DEFAULTS.databaseUrl,
      ['postgres:', 'postgresql:'],
      'postgres://postgres:postgres@127.0.0.1:5432/postgres',
    ),
    applySchema: read.boolean(Inputs.ApplySchema, false),
    seedBeforeStart: read.boolean(Inputs.SeedBeforeStart, false),
    sutHealthUrls: read.list(Inputs.SutHealthUrls).map((url) => {
      try {
        new URL(url);
      } catch {
        throw invalid(
          Inputs.SutHealthUrls,
          url,
          'http(s) URLs separated by commas or newlines, e.g. http://127.0.0.1:8081/ready',
        );
      }
      return url;
    }),
    readyTimeoutMs:
      (read.positive(Inputs.ReadyTimeout, 'seconds each readiness probe may take') ??
        DEFAULTS.readyTimeoutSec) * 1000,
    drainTimeoutMs:
      (read.positive(Inputs.DrainTimeout, 'seconds without a webhook before the drain ends') ??
        DEFAULTS.drainTimeoutSec) * 1000,
    receiver: {
      // Containers reach the runner through the bridge, not its loopback.
      host: read.raw(Inputs.ReceiverHost) || (inCompose ? '0.0.0.0' : '127.0.0.1'),
      port: read.port(Inputs.ReceiverPort) ?? 0,
      path: DEFAULTS.receiverPath,
      ...(receiverUrl ? { publicUrl: receiverUrl } : {}),
    },
    thresholds: { ...DEFAULTS.thresholds },
  };
}

function readJudge(read: Reader): JudgeConfig {
  const toleranceText = read.raw(Inputs.Tolerance);
  const floorsText = read.raw(Inputs.NoiseFloor);
  const metricsText = read.raw(Inputs.Metrics);
  return {
    tolerance: toleranceText
      ? rethrowAsInputError(() => parseTolerance(toleranceText, `input ${Inputs.Tolerance}`))
      : DEFAULT_TOLERANCE,
    noiseFloors: floorsText
      ? rethrowAsInputError(() => parseNoiseFloors(floorsText, `input ${Inputs.NoiseFloor}`))
      : {},
    gatedMetrics: metricsText
      ? rethrowAsInputError(() => parseMetricList(metricsText, `input ${Inputs.Metrics}`))
      : null,
    failOnRegression: read.boolean(Inputs.FailOnRegression, true),
    failOnInconclusive: read.boolean(Inputs.FailOnInconclusive, false),
    requireSameEnvironment: read.boolean(Inputs.RequireSameEnvironment, false),
  };
}

/** Every input, parsed and checked once, into the one typed configuration the action runs on. */
export function readActionConfig(source: InputSource, environment: InputEnvironment): ActionConfig {
  const read = new Reader(source);
  const { env } = environment;
  const mode: Mode = read.choice(Inputs.Mode, MODES, DEFAULTS.mode);
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const workingDirectory = path.resolve(workspace, read.raw(Inputs.WorkingDirectory) || '.');
  if (!environment.fileExists(workingDirectory)) {
    throw invalid(
      Inputs.WorkingDirectory,
      read.raw(Inputs.WorkingDirectory),
      `an existing directory relative to the workspace (${workspace})`,
    );
  }
  const outputDir = path.resolve(
    workingDirectory,
    read.raw(Inputs.OutputDir) || path.join(env.RUNNER_TEMP || tmpdir(), DEFAULTS.outputDirName),
  );
  const common: CommonConfig = {
    workingDirectory,
    outputDir,
    comment: read.choice(Inputs.Comment, COMMENT_POLICIES, DEFAULTS.comment),
    githubToken: read.raw(Inputs.GithubToken),
    secrets: [],
  };

  if (mode === 'comment') {
    const commentFile = read.raw(Inputs.CommentFile);
    if (!commentFile) {
      throw new InputError(
        `Input ${Inputs.CommentFile} is required in mode comment: the path of ${'comment.json'} from the artifact the pull_request job uploaded.`,
      );
    }
    const resolved = resolveFrom(workingDirectory, commentFile);
    if (!environment.fileExists(resolved)) {
      throw new InputError(
        `Invalid input ${Inputs.CommentFile}: "${commentFile}" does not exist (looked for ${resolved}). Download the first stage's artifact before this step.`,
      );
    }
    return { ...common, mode, commentFile: resolved };
  }

  const services = readServices(read, workingDirectory, environment);
  const load = readLoad(read, services);
  const judge = readJudge(read);
  // Last: the values above are wrong whatever the files say, so they are reported first.
  const baseline = readBaseline(read, mode, load.scenario, workingDirectory, environment);
  return {
    ...common,
    secrets: [...urlPasswords(load.redisUrl), ...urlPasswords(load.databaseUrl)],
    mode,
    load,
    services,
    baseline,
    judge,
    driftIssue: read.boolean(Inputs.DriftIssue, true),
  };
}
