import { tmpdir } from 'node:os';
import path from 'node:path';
import { howToCreateBaseline, isValidBaselineName } from '../compare/baseline.js';
import {
  ACTION_INPUT_KEYS,
  ACTION_KEYS,
  nameOf,
  SETTINGS,
  type SettingKey,
  type SettingValues,
} from '../settings/declaration.js';
import { fileLabel, layered, readProjectFile, type ProjectFile } from '../settings/project-file.js';
import { urlPasswords } from '../shared/redact.js';
import type { ServiceSettings } from '../services/registry.js';
import {
  baselineFileOf,
  nameOn,
  parseSetting,
  resolveRunSettings,
  resolveJudgeSettings,
  resolveServices,
  SettingError,
  type JudgeSettings,
  valueOf,
  type Given,
  type Labels,
  type RunSettings,
} from '../settings/resolve.js';
import { ActionFailure } from './failure.js';
import { Inputs, type CommentPolicy, type Mode } from './constants.js';
import type { CompareTo } from '../settings/compare-to.js';

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
  /** The project file's text, null when it does not exist (default: read from disk). */
  readFile?(path: string): string | null;
}

/** How the SUT runs: one of the service layer's modes (src/services/registry.ts). */
export type ServicesConfig = ServiceSettings;

/** The load and the services: everything the engine's runTrials needs except the logger. */
export type LoadConfig = RunSettings;

export interface JudgeConfig extends JudgeSettings {
  failOnRegression: boolean;
  failOnInconclusive: boolean;
}

export interface BaselineConfig {
  /** Names the sticky comment and the baseline file. */
  name: string;
  path: string;
  /** As given (relative to the working directory), for messages. */
  displayPath: string;
  /**
   * branch: mode baseline pushes the night to `dataBranch` (baselines/<name>.json there) and a
   * check reads it from there, falling back to `path`; file: `path` only.
   */
  store: SettingValues['baselineStore'];
  dataBranch: string;
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
  paired: PairedConfig;
}

/** Paired A/B: what the head is compared with, and how the base is measured. */
export interface PairedConfig {
  compareTo: CompareTo;
  /** Run once per side, in its tree, before the first round; null for none. */
  prepareCommand: string | null;
  /** A commit SHA or a branch; null: the pull request's base (the merge commit's first parent). */
  baseRef: string | null;
}

export interface CommentOnlyConfig extends CommonConfig {
  mode: 'comment';
  /** comment.json written by a check-mode run (the first stage of the fork-safe pattern). */
  commentFile: string;
}

export type ActionConfig = MeasureConfig | CommentOnlyConfig;

const OUTPUT_DIR_NAME = 'ethhook-load-test';
/** What mode comment reads: it measures nothing, so the load's inputs are not even parsed. */
const COMMENT_MODE_KEYS: readonly SettingKey[] = [
  'mode',
  'workingDirectory',
  'outputDir',
  'comment',
  'githubToken',
  'commentFile',
];

function invalid(input: string, value: string, expected: string): InputError {
  return new InputError(`Invalid input ${input}: "${value}". Expected ${expected}.`);
}

/** The given inputs among `keys`, each parsed by its declared kind; '' means not given. */
function readGiven(source: InputSource, keys: readonly SettingKey[]): Given {
  const given: Record<string, unknown> = {};
  for (const key of keys) {
    const { name: input, list } = SETTINGS[key] as { name: string; list?: boolean };
    if (!ACTION_INPUT_KEYS.includes(key)) continue;
    const text = source.getInput(input).trim();
    if (text === '') continue;
    // Lists: one item per line (YAML block scalars) or separated by commas.
    const items = list
      ? text
          .split(/[\n,]/)
          .map((item) => item.trim())
          .filter(Boolean)
      : [text];
    const values = items.map((item) => {
      const parsed = parseSetting(key, item, `input ${input}`);
      if (parsed.ok) return parsed.value;
      throw new InputError(
        parsed.ownWords
          ? parsed.message
          : `Invalid input ${input}: "${parsed.shown}". ${parsed.message}`,
      );
    });
    given[key] = list ? values : values[0];
  }
  return given as Given;
}

/** The value of an input: given, else the declared default. */
function actionValue<K extends SettingKey>(given: Given, key: K): SettingValues[K] | undefined {
  return valueOf(given, key, 'action');
}

function readServices(
  given: Given,
  workingDirectory: string,
  environment: InputEnvironment,
  label: Labels,
): ServicesConfig {
  const services = resolveServices(given, 'action', label);
  if (services.mode !== 'compose') return services;
  const files = services.files.map((file) => path.resolve(workingDirectory, file));
  files.forEach((file, index) => {
    if (!environment.fileExists(file)) {
      throw new InputError(
        `Invalid ${label('composeFile')}: "${services.files[index]}" does not exist (looked for ${file}). Expected paths of compose files, relative to ${Inputs.WorkingDirectory}.`,
      );
    }
  });
  return { mode: 'compose', files };
}

function readBaseline(
  given: Given,
  mode: 'check' | 'baseline',
  compareTo: CompareTo,
  scenario: string,
  workingDirectory: string,
  environment: InputEnvironment,
): BaselineConfig {
  const text = given.baseline ?? '';
  const displayPath = baselineFileOf(text === '' ? scenario : text);
  const name = path.basename(displayPath).replace(/\.json$/i, '');
  if (!isValidBaselineName(name)) {
    throw invalid(
      Inputs.Baseline,
      text,
      `a baseline name or a path ending in <name>.json, where the name has letters, digits, '.', '_' and '-' (e.g. baselines/quick.json)`,
    );
  }
  const baselinePath = path.resolve(workingDirectory, displayPath);
  const config: BaselineConfig = {
    name,
    path: baselinePath,
    displayPath,
    store: actionValue(given, 'baselineStore')!,
    dataBranch: actionValue(given, 'dataBranch')!,
  };
  // compare-to auto may measure the base instead: it decides once it has looked at the clone;
  // with the data branch, the baseline may be there (read once the run starts).
  if (
    mode === 'check' &&
    compareTo === 'baseline' &&
    config.store === 'file' &&
    !environment.fileExists(baselinePath)
  ) {
    throw missingBaselineError(config);
  }
  return config;
}

/** Check mode compares with the committed baseline, and it does not exist. */
export function missingBaselineError(baseline: BaselineConfig): InputError {
  return new InputError(
    `Invalid input ${Inputs.Baseline}: "${baseline.displayPath}" does not exist (looked for ${baseline.path}). In mode check the baseline must exist. ${howToCreateBaseline(baseline.name)}`,
  );
}

/**
 * The project file (input config, else ethhook-load-test.json in the working directory when there
 * is one) under the inputs: an input given wins. Returns the settings and how to name each in
 * messages: the input, or the file's key when the file gave it.
 */
function withProjectFile(
  inputs: Given,
  workingDirectory: string,
  environment: InputEnvironment,
): { given: Given; label: Labels } {
  let file: ProjectFile | null;
  try {
    file = readProjectFile(inputs.config, workingDirectory, environment.readFile);
  } catch (error) {
    if (error instanceof SettingError) throw new InputError(error.message);
    throw error;
  }
  const fromFile: Given = {};
  for (const key of ACTION_KEYS) {
    if (file?.given[key] !== undefined)
      (fromFile as Record<string, unknown>)[key] = file.given[key];
  }
  const given = layered(inputs, fromFile);
  const label: Labels = (key) =>
    inputs[key] === undefined && file && file.given[key] !== undefined
      ? fileLabel(file.shownPath, key)
      : ACTION_INPUT_KEYS.includes(key)
        ? nameOn('action', key)
        : `${nameOf(key)} (a key of the project file)`;
  return { given, label };
}

function readJudge(given: Given, label: Labels): JudgeConfig {
  return {
    ...resolveJudgeSettings(given, 'action', label),
    failOnRegression: actionValue(given, 'failOnRegression')!,
    failOnInconclusive: actionValue(given, 'failOnInconclusive')!,
  };
}

/** Every input, parsed and checked once, into the one typed configuration the action runs on. */
export function readActionConfig(source: InputSource, environment: InputEnvironment): ActionConfig {
  const mode: Mode = actionValue(readGiven(source, ['mode']), 'mode')!;
  const inputs = readGiven(source, mode === 'comment' ? COMMENT_MODE_KEYS : ACTION_INPUT_KEYS);
  const common = commonConfig(inputs, environment);
  if (mode === 'comment') return commentModeConfig(common, inputs.commentFile, environment);
  const { workingDirectory } = common;

  const { given, label } = withProjectFile(inputs, workingDirectory, environment);
  let services: ServicesConfig;
  let load: LoadConfig;
  let judge: JudgeConfig;
  try {
    judge = readJudge(given, label);
    services = readServices(given, workingDirectory, environment, label);
    load = resolveRunSettings(given, {
      surface: 'action',
      containers: services.mode === 'compose',
      label,
    });
  } catch (error) {
    if (error instanceof SettingError) throw new InputError(error.message);
    throw error;
  }
  const paired: PairedConfig = {
    compareTo: actionValue(given, 'compareTo')!,
    prepareCommand: given.prepare ?? null,
    baseRef: given.baseRef ?? null,
  };
  // Last: the values above are wrong whatever the files say, so they are reported first.
  const baseline = readBaseline(
    given,
    mode,
    paired.compareTo,
    load.scenario,
    workingDirectory,
    environment,
  );
  return {
    ...common,
    secrets: [...urlPasswords(load.redisUrl), ...urlPasswords(load.databaseUrl)],
    mode,
    load,
    services,
    baseline,
    judge,
    driftIssue: actionValue(given, 'driftIssue')!,
    paired,
  };
}

/** What every mode reads: the working directory, where files go, the comment, the token. */
function commonConfig(inputs: Given, environment: InputEnvironment): CommonConfig {
  const { env } = environment;
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const workingDirectory = path.resolve(workspace, actionValue(inputs, 'workingDirectory')!);
  if (!environment.fileExists(workingDirectory)) {
    throw invalid(
      Inputs.WorkingDirectory,
      inputs.workingDirectory ?? '',
      `an existing directory relative to the workspace (${workspace})`,
    );
  }
  const outputDir = path.resolve(
    workingDirectory,
    inputs.outputDir ?? path.join(env.RUNNER_TEMP || tmpdir(), OUTPUT_DIR_NAME),
  );
  return {
    workingDirectory,
    outputDir,
    comment: actionValue(inputs, 'comment')!,
    githubToken: inputs.githubToken ?? '',
    secrets: [],
  };
}

/** Mode comment runs no code of the pull request and reads none of its files: no project file. */
function commentModeConfig(
  common: CommonConfig,
  commentFile: string | undefined,
  environment: InputEnvironment,
): ActionConfig {
  const { workingDirectory } = common;
  if (!commentFile) {
    throw new InputError(
      `Input ${Inputs.CommentFile} is required in mode comment: the path of ${'comment.json'} from the artifact the pull_request job uploaded.`,
    );
  }
  const resolved = path.resolve(workingDirectory, commentFile);
  if (!environment.fileExists(resolved)) {
    throw new InputError(
      `Invalid input ${Inputs.CommentFile}: "${commentFile}" does not exist (looked for ${resolved}). Download the first stage's artifact before this step.`,
    );
  }
  return { ...common, mode: 'comment', commentFile: resolved };
}
