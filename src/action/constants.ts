import { inputOf, type SettingValues } from '../settings/declaration.js';

/**
 * Every name the action shares with action.yml and with the runner, in one place: inputs (their
 * names come from the settings declaration, src/settings), outputs, and the keys of the state the
 * main step hands the post step. A test checks that action.yml declares exactly these inputs and
 * outputs.
 */

export const Inputs = {
  Mode: inputOf('mode'),
  Scenario: inputOf('scenario'),
  Events: inputOf('events'),
  Rate: inputOf('rate'),
  Concurrency: inputOf('concurrency'),
  Duration: inputOf('duration'),
  Trials: inputOf('trials'),
  WarmupEvents: inputOf('warmup'),
  ChainId: inputOf('chainId'),
  Mix: inputOf('mix'),
  ComposeFile: inputOf('composeFile'),
  StartCommand: inputOf('startCommand'),
  SeedBeforeStart: inputOf('seedBeforeStart'),
  RedisUrl: inputOf('redisUrl'),
  DatabaseUrl: inputOf('databaseUrl'),
  ApplySchema: inputOf('applySchema'),
  SutHealthUrls: inputOf('sutHealthUrls'),
  ReadyTimeout: inputOf('readyTimeout'),
  DrainTimeout: inputOf('drainTimeout'),
  ReceiverHost: inputOf('receiverHost'),
  ReceiverPort: inputOf('receiverPort'),
  ReceiverUrl: inputOf('webhookUrl'),
  Baseline: inputOf('baseline'),
  Tolerance: inputOf('tolerance'),
  NoiseFloor: inputOf('noiseFloor'),
  Metrics: inputOf('gate'),
  FailOnRegression: inputOf('failOnRegression'),
  FailOnInconclusive: inputOf('failOnInconclusive'),
  RequireSameEnvironment: inputOf('requireSameEnvironment'),
  Comment: inputOf('comment'),
  DriftIssue: inputOf('driftIssue'),
  CommentFile: inputOf('commentFile'),
  GithubToken: inputOf('githubToken'),
  WorkingDirectory: inputOf('workingDirectory'),
  OutputDir: inputOf('outputDir'),
  CompareTo: inputOf('compareTo'),
  Rounds: inputOf('rounds'),
  PrepareCommand: inputOf('prepare'),
  BaseRef: inputOf('baseRef'),
} as const;

export type InputName = (typeof Inputs)[keyof typeof Inputs];

export const Outputs = {
  Verdict: 'verdict',
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
