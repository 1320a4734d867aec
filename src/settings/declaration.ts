import { DEFAULT_GATED_METRICS, parseMetricList } from '../compare/metrics.js';
import { DEFAULT_TOLERANCE, parseTolerance } from '../compare/tolerance.js';
import { DEFAULT_CHAIN_ID } from '../stack/contracts.js';
import { parseMix } from '../engine/events/generator.js';
import { MAX_CONCURRENCY, MAX_DURATION_SEC, MAX_EVENTS } from '../engine/publisher/shape.js';
import { RESERVED_PATHS } from '../engine/receiver/receiver.js';
import { COMPARE_TO } from './compare-to.js';
import { DEFAULT_MAX_ROUNDS, DEFAULT_MIN_ROUNDS } from '../judge/judge.js';
import { isScenarioName, SCENARIO_NAMES } from '../engine/run/scenarios.js';
import {
  amount,
  boolean,
  count,
  fraction,
  httpErrorStatus,
  listenAddress,
  oneOf,
  parsedBy,
  port,
  text,
  url,
  urlPath,
  type Kind,
} from './kinds.js';

/**
 * Every setting of a run, declared once: its one name, kind (type and valid values), default and
 * help, and where it can be given. The name is the same everywhere: the key of the project file
 * (src/settings/project-file.ts), the action input when it is one, and the CLI's long flag. The
 * action's input reader (src/action/inputs.ts), the CLI's flags (src/cli/settings-flags.ts), the
 * project file's keys, action.yml's inputs and docs/settings.md are derived from this table; the
 * cross-field rules are in resolve.ts. Adding a setting is one entry here (then
 * `npm run settings:sync` rewrites action.yml and docs/settings.md).
 */
export interface Setting<T, V = T> {
  kind: Kind<T>;
  /** The setting's one name: project file key, action input, CLI flag (`--<name>`), kebab-case. */
  name: string;
  /**
   * An input of action.yml: only what a typical workflow sets (the mode, the file, the token...);
   * the action reads every other setting from the project file.
   */
  input?: true;
  /** false: the action reads it neither as an input nor from the file (`differs` says why). */
  action?: false;
  /** false: not a key of the project file: one invocation's choice (the mode, an output path, the token). */
  file?: false;
  /**
   * The CLI flag as commander spells it (`-n, --events <n>`; a switch has no `<value>`); its long
   * flag is `--<name>`, or `--no-<name>` for a switch that turns a default on off. null: not a flag.
   */
  flag: string | null;
  /** Long flags it was published under before the names were unified: accepted, hidden from --help. */
  aliases?: readonly string[];
  /** The value when not given; absent: computed from other settings, or none. */
  default?: NoInfer<V>;
  /** How the docs show the default when it is computed or absent ("the scenario's"). */
  defaultText?: string;
  /** One line: the CLI's --help, docs/settings.md and action.yml unless `inputHelp`. */
  help: string;
  /** action.yml's description, when the action needs more words than `help`. */
  inputHelp?: string;
  /** Why a setting is on one surface only (the action or the CLI), or differs between them. */
  differs?: string;
  /** A list: comma- or newline-separated in an input, a JSON array in the file, a repeated flag. */
  list?: boolean;
  /** The CLI reads this environment variable before falling back to `default`. */
  env?: string;
}

function setting<T>(declared: Setting<T> & { list?: false }): Setting<T> {
  return declared;
}

function listSetting<T>(declared: Setting<T, T[]> & { list: true }): Setting<T, T[]> {
  return declared;
}

/** The project file the action and the CLI read when none is named (in the working directory). */
export const DEFAULT_PROJECT_FILE = 'ethhook-load-test.json';

/** Where mode baseline keeps the baseline: a data branch of its own, or the workspace's file. */
export const BASELINE_STORES = ['branch', 'file'] as const;

/** Most measured runs one invocation may ask for (each runs the whole scenario). */
export const MAX_TRIALS = 100;
/**
 * Longest timeout: an hour is more than any readiness or drain needs, and Node's timers fire at
 * once past 2^31 ms (24.8 days), which would turn a typo into no wait at all.
 */
export const MAX_TIMEOUT_SEC = 3_600;
/** The SUT's webhook timeout defaults to 30 s: holding replies longer only tests its timeout. */
export const MAX_DELAY_MS = 60_000;

/** The original tool's absolute throughput verdicts: above 1,000/s excellent, 500-1,000/s good. */
export const THROUGHPUT_THRESHOLDS = {
  excellentThroughputPerSec: 1_000,
  goodThroughputPerSec: 500,
} as const;

/** Containers reach the runner through the Docker bridge, not its loopback. */
export const CONTAINER_RECEIVER_HOST = '0.0.0.0';
export const containerWebhookUrl = (receiverPath: string): string =>
  `http://host.docker.internal:{port}${receiverPath}`;

const webhookUrl = url(['http:', 'https:'], 'http://host.docker.internal:{port}/webhook', {
  placeholder: '{port}',
});

const FAULTS_ARE_CLI_ONLY =
  "Fault injection tests the SUT's retries; a pull request check gated on a baseline must measure the SUT, not faults the receiver made on purpose, so the action has no such input.";

export const SETTINGS = {
  // What the action does (the CLI has a command for each).
  mode: setting({
    kind: oneOf(['check', 'baseline', 'comment'] as const),
    name: 'mode',
    input: true,
    file: false,
    flag: null,
    default: 'check',
    help: 'check compares with the baseline and fails on a regression; baseline writes the refreshed baseline; comment only posts a stage-1 comment.',
    inputHelp:
      'check: compare with the baseline and fail on a regression. baseline: write the refreshed baseline file (nightly). comment: only post the comment from a comment.json of an earlier check run (the fork-safe second stage; runs no code of the pull request).',
    differs:
      'Action only: the CLI has a command for each (run --baseline, baseline update, compare).',
  }),

  config: setting({
    kind: text,
    name: 'config',
    input: true,
    file: false,
    flag: '--config <file>',
    defaultText: `${DEFAULT_PROJECT_FILE} when it exists`,
    help: 'The project file: the system under test and the load as JSON, keys named as these settings; an input or a flag given as well wins over it.',
  }),

  // The load: what is published, how fast, how often.
  scenario: setting({
    kind: parsedBy(
      (text, label) => {
        if (isScenarioName(text)) return text;
        throw new Error(
          `${label}: unknown scenario "${text}"; valid scenarios are ${SCENARIO_NAMES.join(', ')}`,
        );
      },
      `one of ${SCENARIO_NAMES.join(', ')}`,
    ),
    name: 'scenario',
    input: true,
    flag: '--scenario <name>',
    default: 'quick',
    help: `Named load shape: ${SCENARIO_NAMES.join(', ')}.`,
  }),
  events: setting({
    kind: count(1, MAX_EVENTS),
    name: 'events',
    flag: '-n, --events <n>',
    defaultText: "the scenario's",
    help: 'Events to publish (overrides the scenario; clears its duration).',
  }),
  rate: setting({
    kind: amount({}),
    name: 'rate',
    flag: '-r, --rate <n>',
    defaultText: "the scenario's",
    help: 'Target publish rate in events/s; 0 = as fast as possible.',
  }),
  concurrency: setting({
    kind: count(1, MAX_CONCURRENCY),
    name: 'concurrency',
    flag: '-c, --concurrency <n>',
    defaultText: "the scenario's",
    help: 'Concurrent publishers, one Redis connection each.',
  }),
  duration: setting({
    kind: amount({ above: true, max: MAX_DURATION_SEC, unit: ' (seconds)' }),
    name: 'duration',
    flag: '-d, --duration <seconds>',
    defaultText: "the scenario's",
    help: "Seconds of publishing instead of a fixed count (clears the scenario's count).",
  }),
  trials: setting({
    kind: count(1, MAX_TRIALS),
    name: 'trials',
    flag: '--trials <n>',
    default: 3,
    help: 'Measured runs of each start after its warm-up (each side of a paired round is one start), pooled into its latency histogram.',
  }),
  warmup: setting({
    kind: count(0, MAX_EVENTS),
    name: 'warmup-events',
    flag: '--warmup-events <n>',
    aliases: ['--warmup'],
    defaultText: '5 s of the target rate, at least 200',
    help: 'The most the unmeasured warm-up publishes; it ends earlier once latency has stopped falling (the p50 of a half-second slice no more than 20% below either of the two before it).',
  }),
  chainId: setting({
    kind: count(1),
    name: 'chain-id',
    flag: '--chain-id <id>',
    default: DEFAULT_CHAIN_ID,
    help: 'Chain id of the published events: the stream is events:<chain-id>.',
  }),
  seed: setting({
    kind: count(0),
    name: 'seed',
    flag: '--seed <n>',
    default: 1,
    help: 'Seed of the generated events (same seed, same stream).',
  }),
  mix: setting({
    kind: parsedBy(parseMix, 'name=weight pairs over usdc, weth, dai, link, uniswap'),
    name: 'mix',
    flag: '--mix <weights>',
    defaultText: 'even',
    help: 'Event mix over the five load-test contracts, e.g. usdc=2,weth=1.',
  }),

  // The system under test and its services.
  composeFile: listSetting({
    kind: text,
    list: true,
    name: 'compose-file',
    input: true,
    flag: '--compose-file <file>',
    default: [],
    help: 'Compose file(s) of the system under test: up before the load, logs collected and `down -v` after.',
    inputHelp:
      'Compose file(s) of the system under test, one per line (or comma-separated), relative to working-directory. Brought up with `docker compose` (v2, with --wait) or `docker-compose` (v1), every service given host.docker.internal; logs collected and `down -v` in the post step.',
  }),
  startCommand: setting({
    kind: text,
    name: 'start-command',
    flag: '--start-command <command>',
    aliases: ['--start'],
    help: 'Shell command that starts the system under test as its own process group; the whole group is stopped afterwards.',
    inputHelp:
      'Shell command that starts the system under test (instead of compose-file), started before seeding (see seed-before-start) as its own process group, the whole group stopped in the post step. With neither, the services must already be running.',
  }),
  seedBeforeStart: setting({
    kind: boolean,
    name: 'seed-before-start',
    flag: '--seed-before-start',
    default: false,
    help: 'Seed the endpoints before starting the system under test instead of after it is ready: for a system that loads its endpoints only once at start-up.',
    inputHelp:
      'Seed the endpoints before starting the system under test instead of after it is ready: for a system that loads its endpoints only once at start-up. Its tables must then exist before it starts (its migrations, or apply-schema).',
  }),
  startLog: setting({
    kind: text,
    name: 'start-log',
    action: false,
    flag: '--start-log <file>',
    defaultText: 'beside the result, <out>.services.log',
    help: "The SUT's log file.",
    differs: "CLI only: the action writes it to output-dir's services.log (the logs-path output).",
  }),
  redisUrl: setting({
    kind: url(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
    name: 'redis-url',
    flag: '--redis-url <url>',
    default: 'redis://127.0.0.1:6379',
    env: 'REDIS_URL',
    help: 'Redis of the system under test, as reached from the runner. The password is masked.',
    differs:
      "The CLI reads $REDIS_URL after the project file (a developer's shell usually points at their Redis); the action reads only its inputs and the file, so a job's environment cannot silently change what a check measures.",
  }),
  databaseUrl: setting({
    kind: url(['postgres:', 'postgresql:'], 'postgres://ethhook:ethhook@127.0.0.1:5432/ethhook'),
    name: 'database-url',
    flag: '--database-url <url>',
    // reference/compose.yml's database, so the reference stack needs no database-url at all.
    default: 'postgres://ethhook:ethhook@127.0.0.1:5432/ethhook',
    env: 'DATABASE_URL',
    help: 'PostgreSQL of the system under test, as reached from the runner. The password is masked.',
    differs:
      'The CLI reads $DATABASE_URL after the project file; the action reads only its inputs and the file (as for redis-url).',
  }),
  applySchema: setting({
    kind: boolean,
    name: 'apply-schema',
    flag: '--apply-schema',
    default: false,
    help: "Create EthHook's tables when missing (when no migration of the system under test does).",
  }),
  sutHealthUrls: listSetting({
    kind: url(['http:', 'https:'], 'http://127.0.0.1:8081/ready'),
    list: true,
    name: 'sut-health-url',
    flag: '--sut-health-url <url>',
    default: [],
    help: 'Health URLs that must answer 2xx before publishing.',
  }),
  readyTimeout: setting({
    kind: amount({ above: true, max: MAX_TIMEOUT_SEC, unit: ' (seconds)' }),
    name: 'ready-timeout',
    flag: '--ready-timeout <seconds>',
    // One default for both (it was 60 s on the CLI): a compose stack on a cold runner (image
    // start, the SUT's migrations) needs over a minute, and a permanent error fails at once anyway.
    default: 120,
    help: 'Seconds each readiness probe (Redis, PostgreSQL, consumer group, health URLs) may take.',
    inputHelp:
      'Seconds each readiness probe (Redis, PostgreSQL, consumer group, health URLs) may take; in compose mode also the bound on `up` plus the wait for every container to be running and healthy, counted from the first container (image pulls and builds do not count).',
  }),
  drainTimeout: setting({
    kind: amount({ above: true, max: MAX_TIMEOUT_SEC, unit: ' (seconds)' }),
    name: 'drain-timeout',
    flag: '--drain-timeout <seconds>',
    default: 10,
    help: 'Seconds without a webhook after which the drain ends and missing deliveries count as lost.',
  }),
  receiverHost: setting({
    kind: listenAddress,
    name: 'receiver-host',
    flag: '--receiver-host <host>',
    // No static default: it depends on where the SUT runs (resolve.ts).
    defaultText: '0.0.0.0 with compose-file, else 127.0.0.1',
    help: 'Address the webhook receiver binds.',
  }),
  receiverPort: setting({
    kind: port,
    name: 'receiver-port',
    flag: '--receiver-port <port>',
    default: 0,
    help: 'Port of the webhook receiver; 0 picks a free one.',
  }),
  receiverPath: setting({
    kind: {
      ...urlPath,
      expected: `a path starting with / other than ${RESERVED_PATHS.join(', ')}`,
      schema: (label) => urlPath.schema(label).refine((path) => !RESERVED_PATHS.includes(path)),
    },
    name: 'receiver-path',
    flag: '--receiver-path <path>',
    default: '/webhook',
    help: 'Path the receiver takes webhooks on.',
  }),
  webhookUrl: setting({
    kind: webhookUrl,
    name: 'webhook-url',
    flag: '--webhook-url <url>',
    defaultText:
      'with compose-file http://host.docker.internal:{port}/webhook, else http://127.0.0.1:{port}/webhook',
    help: "URL the system under test must call ({port} = the receiver's port).",
  }),
  failRate: setting({
    kind: fraction,
    name: 'fail-rate',
    action: false,
    file: false,
    flag: '--fail-rate <fraction>',
    default: 0,
    help: 'Answer this fraction of webhooks with --fail-status (retry testing).',
    differs: FAULTS_ARE_CLI_ONLY,
  }),
  failStatus: setting({
    kind: httpErrorStatus,
    name: 'fail-status',
    action: false,
    file: false,
    flag: '--fail-status <code>',
    default: 503,
    help: 'Status of injected failures.',
    differs: FAULTS_ARE_CLI_ONLY,
  }),
  delayMs: setting({
    kind: amount({ max: MAX_DELAY_MS, unit: ' (ms)' }),
    name: 'delay-ms',
    action: false,
    file: false,
    flag: '--delay-ms <ms>',
    default: 0,
    help: 'Hold every webhook reply back this long.',
    differs: FAULTS_ARE_CLI_ONLY,
  }),
  stallMs: setting({
    kind: amount({ max: MAX_DELAY_MS, unit: ' (ms)' }),
    name: 'stall-ms',
    action: false,
    file: false,
    flag: '--stall-ms <ms>',
    default: 0,
    help: 'Take no webhook for this long in each measured trial, from --stall-at-sec (a stall the timeline shows).',
    differs: FAULTS_ARE_CLI_ONLY,
  }),
  stallAtSec: setting({
    kind: amount({ max: MAX_DURATION_SEC, unit: ' (s)' }),
    name: 'stall-at-sec',
    action: false,
    file: false,
    flag: '--stall-at-sec <s>',
    default: 0,
    help: "When --stall-ms starts, in seconds after each measured trial's first scheduled send.",
    differs: FAULTS_ARE_CLI_ONLY,
  }),
  maxAvgLatencyMs: setting({
    kind: amount({ above: true, unit: ' (ms)' }),
    name: 'max-avg-latency-ms',
    flag: '--max-avg-latency-ms <ms>',
    default: 500,
    help: "Absolute check: average latency must stay under this (the original tool's).",
  }),
  progress: setting({
    kind: oneOf(['auto', 'bar', 'lines', 'off'] as const),
    name: 'progress',
    action: false,
    file: false,
    flag: '--progress <mode>',
    default: 'auto',
    help: 'Progress on stderr: a bar on a terminal, else a line every 5 s.',
    differs: "CLI only: the action's log is no terminal; it prints a line every 5 s.",
  }),
  out: setting({
    kind: text,
    name: 'out',
    action: false,
    file: false,
    flag: '--out <file>',
    defaultText: 'results/<scenario>-<time>.json',
    help: 'Write the result JSON here.',
    differs: 'CLI only: the action writes result.json into output-dir.',
  }),

  // The verdict.
  baseline: setting({
    kind: text,
    name: 'baseline',
    input: true,
    flag: '--baseline <file>',
    defaultText: 'baselines/<scenario>.json',
    help: 'Baseline file, or a bare name meaning baselines/<name>.json.',
    differs:
      "The action always compares (default baselines/<scenario>.json, read from data-branch first with baseline-store branch); the CLI compares only with --baseline (or the file's baseline key), with the local file, and a missing file is an inconclusive verdict, so a first local run still reports.",
  }),
  baselineStore: setting({
    kind: oneOf(BASELINE_STORES),
    name: 'baseline-store',
    input: true,
    flag: null,
    default: 'branch',
    help: 'Where the nightly keeps the baseline: branch (mode baseline pushes each night to data-branch, no review; checks read it from there, else the committed file; needs `contents: write` in the nightly) or file (the baseline file in the workspace only: commit it yourself, e.g. by a reviewed pull request).',
    differs:
      'Action only: the CLI reads and writes baseline files; `git fetch origin load-test-data` gets the branch.',
  }),
  dataBranch: setting({
    kind: text,
    name: 'data-branch',
    flag: null,
    default: 'load-test-data',
    help: 'baseline-store branch: the branch holding baselines/<name>.json; created by the first night.',
    differs: 'Action only, as baseline-store.',
  }),
  name: setting({
    kind: text,
    name: 'name',
    action: false,
    flag: '--name <name>',
    defaultText: "the baseline's",
    help: "Name in the report and the PR comment's marker.",
    differs: 'CLI only: the action names the report and the comment after its baseline.',
  }),
  tolerance: setting({
    kind: parsedBy(parseTolerance, 'a ratio of at least 1, written 1.5, 1.5x or 150%'),
    name: 'tolerance',
    flag: '--tolerance <ratio>',
    default: DEFAULT_TOLERANCE,
    help: 'How much worse than the baseline a metric may get: 1.5, 1.5x or 150%; at least 1.',
  }),
  gate: setting({
    kind: parsedBy(parseMetricList, 'metric ids separated by commas'),
    name: 'gate',
    flag: '--gate <metrics>',
    defaultText: DEFAULT_GATED_METRICS.join(','),
    help: 'Performance metrics that decide the verdict, e.g. p50,p95,p99,throughput (correctness is always gated).',
  }),
  failOnRegression: setting({
    kind: boolean,
    name: 'fail-on-regression',
    flag: null,
    default: true,
    help: 'Fail the step when the verdict is a regression (mode check).',
    differs:
      'Action only: the CLI always exits 1 on a regression; a script decides what that means.',
  }),
  failOnInconclusive: setting({
    kind: boolean,
    name: 'fail-on-inconclusive',
    flag: null,
    default: true,
    help: 'Fail the step when the verdict is inconclusive (mode check): the check could not tell, and says what would settle it.',
    differs:
      'Action only: the CLI always exits 2 on an inconclusive verdict; a script decides what that means.',
  }),
  markdown: setting({
    kind: text,
    name: 'markdown',
    action: false,
    file: false,
    flag: '--markdown <file>',
    help: 'Also write the markdown report (PR comment / job summary) to a file, and the HTML report with its charts beside it (report.md → report.html).',
    differs: 'CLI only: the action writes report.md and report.html into output-dir.',
  }),
  json: setting({
    kind: boolean,
    name: 'json',
    action: false,
    file: false,
    flag: '--json',
    default: false,
    help: 'Print the verdict (or the result) as JSON instead of the report.',
    differs: 'CLI only: the action sets outputs.',
  }),
  color: setting({
    kind: boolean,
    name: 'color',
    action: false,
    file: false,
    flag: '--no-color',
    default: true,
    help: 'Plain text, no colours.',
    differs: 'CLI only: the action writes markdown.',
  }),

  // Paired A/B: the pull request's base measured on the same runner (src/check).
  compareTo: setting({
    kind: oneOf(COMPARE_TO),
    name: 'compare-to',
    input: true,
    flag: '--compare-to <reference>',
    default: 'auto',
    help: 'What the head is compared with: auto (the base commit measured on this runner whenever the SUT is started and there is a base; else the committed baseline), baseline, or base.',
  }),
  rounds: setting({
    kind: count(1, MAX_TRIALS),
    name: 'rounds',
    flag: '--rounds <n>',
    default: DEFAULT_MIN_ROUNDS,
    help: 'Rounds measured before the first verdict: each round starts the base and the head fresh, in alternating order (against a baseline of 3 nights or more, the head alone).',
  }),
  maxRounds: setting({
    kind: count(1, MAX_TRIALS),
    name: 'max-rounds',
    flag: '--max-rounds <n>',
    default: DEFAULT_MAX_ROUNDS,
    help: 'Rounds at most: while a figure cannot be told from the tolerance, one more round is measured, up to this many; then the verdict is inconclusive.',
  }),
  prepare: setting({
    kind: text,
    name: 'prepare-command',
    flag: '--prepare-command <command>',
    aliases: ['--prepare'],
    help: 'Paired A/B: run once per side, in its tree, before the first round (e.g. a build).',
  }),
  baseRef: setting({
    kind: text,
    name: 'base-ref',
    flag: null,
    defaultText: "the pull request's base",
    help: 'Paired A/B: the base commit, a SHA or a branch (on pull_request events: the first parent of the merge commit actions/checkout checks out).',
    differs:
      'Action only: the CLI is given the base as a tree (--base-dir) or a command (--base-start), as a local checkout is at hand.',
  }),
  baseStart: setting({
    kind: text,
    name: 'base-start',
    action: false,
    flag: '--base-start <command>',
    help: 'Paired A/B: start the base with this command (the head: --start-command).',
    differs:
      'CLI only: the action checks the base commit out itself and runs the same compose-file or start-command from it.',
  }),
  baseComposeFile: listSetting({
    kind: text,
    list: true,
    name: 'base-compose-file',
    action: false,
    flag: '--base-compose-file <file>',
    default: [],
    help: 'Paired A/B: run the base with docker compose from this file.',
    differs:
      'CLI only: the action checks the base commit out itself and runs the same compose-file or start-command from it.',
  }),
  baseDir: setting({
    kind: text,
    name: 'base-dir',
    action: false,
    flag: '--base-dir <tree>',
    help: "Paired A/B: the base's checkout; the head's --start-command or --compose-file run from it.",
    differs:
      'CLI only: the action checks the base commit out itself and runs the same compose-file or start-command from it.',
  }),

  // The action's own: how it reports and where it works.
  comment: setting({
    kind: oneOf(['always', 'on-regression', 'never'] as const),
    name: 'comment',
    input: true,
    flag: null,
    default: 'always',
    help: 'The sticky pull request comment: always, on-regression or never.',
    inputHelp:
      'The sticky pull request comment: always, on-regression (created only for a regression, but an existing one is always updated), or never. Needs `pull-requests: write`.',
    differs: 'Action only: the CLI prints the report (--markdown writes it).',
  }),
  driftIssue: setting({
    kind: boolean,
    name: 'drift-issue',
    flag: null,
    default: true,
    help: 'Mode baseline: when the nightly history shows a recent shift of a gated metric (change-point detection), open one issue about it, or update the open one. Needs `issues: write`.',
    differs: 'Action only: the nightly job files the issue; the CLI prints the trend.',
  }),
  commentFile: setting({
    kind: text,
    name: 'comment-file',
    input: true,
    file: false,
    flag: null,
    help: "mode comment: path of the comment.json from the first stage's artifact.",
    differs: 'Action only (mode comment).',
  }),
  githubToken: setting({
    kind: text,
    name: 'github-token',
    input: true,
    file: false,
    flag: null,
    defaultText: '${{ github.token }}',
    help: 'Token for the pull request comment.',
    differs: 'Action only.',
  }),
  workingDirectory: setting({
    kind: text,
    name: 'working-directory',
    input: true,
    file: false,
    flag: null,
    default: '.',
    help: 'Directory the relative paths (compose-file, baseline, output-dir) are resolved from, and where start-command runs.',
    differs: 'Action only: the CLI works in its current directory.',
  }),
  outputDir: setting({
    kind: text,
    name: 'output-dir',
    input: true,
    file: false,
    flag: null,
    defaultText: '$RUNNER_TEMP/ethhook-load-test',
    help: 'Where result.json, report.md, report.html, comment.json and services.log are written.',
    differs: 'Action only: the CLI takes --out and --markdown.',
  }),
};

export type SettingKey = keyof typeof SETTINGS;
type ValueOf<S> = S extends Setting<unknown, infer V> ? V : never;
/** Every setting's value type, inferred from the declaration. */
export type SettingValues = { [K in SettingKey]: ValueOf<(typeof SETTINGS)[K]> };

export function settingOf<K extends SettingKey>(key: K): Setting<unknown, SettingValues[K]> {
  return SETTINGS[key] as unknown as Setting<unknown, SettingValues[K]>;
}

/** The setting's one name (file key, input, long flag). */
export function nameOf(key: SettingKey): string {
  return SETTINGS[key].name;
}

/** The action.yml input of a setting that is one. */
export function inputOf(key: SettingKey): string {
  const declared: Setting<unknown> = SETTINGS[key] as Setting<unknown>;
  if (declared.input !== true) throw new Error(`setting ${key} is not an action input`);
  return declared.name;
}

const KEYS = Object.keys(SETTINGS) as SettingKey[];
const declared = (key: SettingKey): Setting<unknown> => SETTINGS[key] as Setting<unknown>;

/** The settings that are action inputs, in declaration order. */
export const ACTION_INPUT_KEYS = KEYS.filter((key) => declared(key).input === true);

/** The settings the action reads (an input, the project file, or both). */
export const ACTION_KEYS = KEYS.filter(
  (key) =>
    declared(key).input === true ||
    (declared(key).action !== false && declared(key).file !== false),
);

/** The settings that are keys of the project file, in declaration order. */
export const FILE_KEYS = KEYS.filter((key) => declared(key).file !== false);
