import { nameOf, type SettingValues } from '../settings/declaration.js';

/**
 * Every name the action shares with action.yml and with the runner, in one place: settings (their
 * names come from the settings declaration, src/settings), outputs, and the keys of the state the
 * main step hands the post step. A test checks that action.yml declares exactly these outputs, and
 * the declaration's input settings as its inputs.
 */

/**
 * The names of the settings the action reads: an action.yml input (ACTION_INPUT_KEYS) or a key of
 * the project file, the same name either way.
 */
export const Inputs = {
  Mode: nameOf('mode'),
  Config: nameOf('config'),
  BaselineStore: nameOf('baselineStore'),
  DataBranch: nameOf('dataBranch'),
  Scenario: nameOf('scenario'),
  Events: nameOf('events'),
  Rate: nameOf('rate'),
  Concurrency: nameOf('concurrency'),
  Duration: nameOf('duration'),
  Trials: nameOf('trials'),
  WarmupEvents: nameOf('warmup'),
  ChainId: nameOf('chainId'),
  Mix: nameOf('mix'),
  ComposeFile: nameOf('composeFile'),
  StartCommand: nameOf('startCommand'),
  SeedBeforeStart: nameOf('seedBeforeStart'),
  RedisUrl: nameOf('redisUrl'),
  DatabaseUrl: nameOf('databaseUrl'),
  ApplySchema: nameOf('applySchema'),
  SutHealthUrl: nameOf('sutHealthUrls'),
  ReadyTimeout: nameOf('readyTimeout'),
  DrainTimeout: nameOf('drainTimeout'),
  ReceiverHost: nameOf('receiverHost'),
  ReceiverPort: nameOf('receiverPort'),
  WebhookUrl: nameOf('webhookUrl'),
  Baseline: nameOf('baseline'),
  Tolerance: nameOf('tolerance'),
  Gate: nameOf('gate'),
  FailOnRegression: nameOf('failOnRegression'),
  FailOnInconclusive: nameOf('failOnInconclusive'),
  Comment: nameOf('comment'),
  DriftIssue: nameOf('driftIssue'),
  CommentFile: nameOf('commentFile'),
  GithubToken: nameOf('githubToken'),
  WorkingDirectory: nameOf('workingDirectory'),
  OutputDir: nameOf('outputDir'),
  CompareTo: nameOf('compareTo'),
  Rounds: nameOf('rounds'),
  MaxRounds: nameOf('maxRounds'),
  PrepareCommand: nameOf('prepare'),
  BaseRef: nameOf('baseRef'),
} as const;

export type InputName = (typeof Inputs)[keyof typeof Inputs];

export const Outputs = {
  Verdict: 'verdict',
  ExitCode: 'exit-code',
  Passed: 'passed',
  ResultPath: 'result-path',
  ReportPath: 'report-path',
  HtmlReportPath: 'html-report-path',
  BaselinePath: 'baseline-path',
  CommentUrl: 'comment-url',
  LogsPath: 'logs-path',
} as const;

export type OutputName = (typeof Outputs)[keyof typeof Outputs];

// The state keys live in state.ts, which the post step imports without the settings declaration.
export { State, type StateKey } from './state.js';

/** The modes of the `mode` input. */
export type Mode = SettingValues['mode'];

/** The values of the `comment` input. */
export type CommentPolicy = SettingValues['comment'];

/** GitHub rejects an issue comment longer than this. */
export const MAX_COMMENT_CHARS = 65_536;

/** Written by check mode for the fork-safe second stage (mode: comment). */
export const COMMENT_REQUEST_KIND = 'ethhook-load-test/comment-request';
/** 2: figures keyed by catalogue metric id (the headline metrics), not a fixed list. */
export const COMMENT_REQUEST_VERSION = 2;
export const COMMENT_REQUEST_FILE = 'comment.json';
export const RESULT_FILE = 'result.json';
export const REPORT_FILE = 'report.md';
/** The same report as one self-contained page, with the charts (src/report/html.ts). */
export const HTML_REPORT_FILE = 'report.html';
export const LOGS_FILE = 'services.log';
