/**
 * Every name the action shares with action.yml and with the runner, in one place: inputs (as
 * written in action.yml), outputs, and the keys of the state the main step hands the post step.
 * A test checks that action.yml declares exactly these inputs and outputs.
 */

export const Inputs = {
  Mode: 'mode',
  Scenario: 'scenario',
  Events: 'events',
  Rate: 'rate',
  Concurrency: 'concurrency',
  Duration: 'duration',
  Trials: 'trials',
  WarmupEvents: 'warmup-events',
  ChainId: 'chain-id',
  Mix: 'mix',
  ComposeFile: 'compose-file',
  StartCommand: 'start-command',
  SeedBeforeStart: 'seed-before-start',
  RedisUrl: 'redis-url',
  DatabaseUrl: 'database-url',
  ApplySchema: 'apply-schema',
  SutHealthUrls: 'sut-health-urls',
  ReadyTimeout: 'ready-timeout',
  DrainTimeout: 'drain-timeout',
  ReceiverHost: 'receiver-host',
  ReceiverPort: 'receiver-port',
  ReceiverUrl: 'receiver-url',
  Baseline: 'baseline',
  Tolerance: 'tolerance',
  NoiseFloor: 'noise-floor',
  Metrics: 'metrics',
  FailOnRegression: 'fail-on-regression',
  FailOnInconclusive: 'fail-on-inconclusive',
  RequireSameEnvironment: 'require-same-environment',
  Comment: 'comment',
  DriftIssue: 'drift-issue',
  CommentFile: 'comment-file',
  GithubToken: 'github-token',
  WorkingDirectory: 'working-directory',
  OutputDir: 'output-dir',
} as const;

export type InputName = (typeof Inputs)[keyof typeof Inputs];

export const Outputs = {
  Verdict: 'verdict',
  Passed: 'passed',
  ResultPath: 'result-path',
  ReportPath: 'report-path',
  BaselinePath: 'baseline-path',
  CommentUrl: 'comment-url',
  LogsPath: 'logs-path',
} as const;

export type OutputName = (typeof Outputs)[keyof typeof Outputs];

/**
 * Saved by main, read by post. Written before each side effect it lets post undo (the compose
 * project before `up`, the SUT's log before the spawn, its pid right after), so a main step that
 * dies anywhere still leaves post enough to clean up.
 */
export const State = {
  /**
   * JSON list of every service instance main started (src/services' saved form): the mode and
   * what its teardown needs, such as the compose project and files or the SUT's process group.
   */
  Services: 'services',
} as const;

export type StateKey = (typeof State)[keyof typeof State];

/** The modes of the `mode` input. */
export const MODES = ['check', 'baseline', 'comment'] as const;
export type Mode = (typeof MODES)[number];

/** The values of the `comment` input. */
export const COMMENT_POLICIES = ['always', 'on-regression', 'never'] as const;
export type CommentPolicy = (typeof COMMENT_POLICIES)[number];

/** GitHub rejects an issue comment longer than this. */
export const MAX_COMMENT_CHARS = 65_536;

/** Written by check mode for the fork-safe second stage (mode: comment). */
export const COMMENT_REQUEST_KIND = 'ethhook-load-test/comment-request';
/** 2: figures keyed by catalogue metric id (the headline metrics), not a fixed list. */
export const COMMENT_REQUEST_VERSION = 2;
export const COMMENT_REQUEST_FILE = 'comment.json';
export const RESULT_FILE = 'result.json';
export const REPORT_FILE = 'report.md';
export const LOGS_FILE = 'services.log';
