import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { splitInputs } from '../../src/settings/testing.js';

/**
 * Runs a bundled step (dist/index.js, dist/post.js) the way the GitHub runner does: inputs as
 * INPUT_<NAME> variables, file commands (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_STEP_SUMMARY) in
 * fresh files read back afterwards, and the main step's saved state handed to post as STATE_<name>.
 */
export interface StepRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** `::error ...::` / `::warning ...::` workflow commands printed on stdout. */
  annotations: { level: string; properties: string; message: string }[];
}

export interface StepOptions {
  script: string;
  /** Where the step files go; one subdirectory per run. */
  workDir: string;
  inputs?: Record<string, string>;
  /** State saved by the main step (for the post step). */
  state?: Record<string, string>;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

let runCount = 0;

/** The runner's file-command format: `name<<DELIMITER`, value lines, `DELIMITER`. */
export function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const header = /^([^<=]+)<<(.+)$/.exec(lines[i] as string);
    if (!header) continue;
    const [, name = '', delimiter = ''] = header;
    const value: string[] = [];
    for (i += 1; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] as string);
    values[name] = value.join('\n');
  }
  return values;
}

function annotationsOf(stdout: string): StepRun['annotations'] {
  return stdout
    .split('\n')
    .map((line) => /^::(error|warning|notice)([^:]*)::(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, level = '', properties = '', message = '']) => ({
      level,
      properties: properties.trim(),
      message: message.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'),
    }));
}

export async function runStep(options: StepOptions): Promise<StepRun> {
  const dir = path.join(options.workDir, `step-${++runCount}`);
  mkdirSync(dir, { recursive: true });
  const files = {
    output: path.join(dir, 'output'),
    state: path.join(dir, 'state'),
    summary: path.join(dir, 'summary'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');

  const env: NodeJS.ProcessEnv = {
    ...options.env,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
  };
  // Settings that are no inputs of action.yml go to a project file named by input config.
  const { inputs, file } = splitInputs(options.inputs ?? {});
  if (file) {
    const config = path.join(dir, 'ethhook-load-test.json');
    writeFileSync(config, JSON.stringify(file));
    inputs.config = config;
  }
  for (const [name, value] of Object.entries(inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value;

  const child = spawn(process.execPath, [options.script], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timeoutMs = options.timeoutMs ?? 180_000;
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${options.script} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`),
      );
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseFileCommands(readFileSync(files.output, 'utf8')),
    state: parseFileCommands(readFileSync(files.state, 'utf8')),
    summary: readFileSync(files.summary, 'utf8'),
    annotations: annotationsOf(stdout),
  };
}

export interface RunnerEnvOptions {
  workspace: string;
  /** The fake GitHub REST server. */
  apiUrl: string;
  eventName: string;
  eventPath: string;
  sha: string;
  runId: string;
}

/**
 * The environment a GitHub runner gives a step: this process's, without proxies (the fake API is
 * on loopback), plus the GITHUB_* variables of the event.
 */
export function runnerEnv(options: RunnerEnvOptions): NodeJS.ProcessEnv {
  const { HTTP_PROXY: _a, HTTPS_PROXY: _b, http_proxy: _c, https_proxy: _d, ...rest } = process.env;
  return {
    ...rest,
    NO_PROXY: '127.0.0.1,localhost',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.workspace,
    RUNNER_TEMP: path.join(options.workspace, 'runner-temp'),
    GITHUB_API_URL: options.apiUrl,
    GITHUB_SERVER_URL: 'https://github.test',
    GITHUB_REPOSITORY: 'ethhook/app',
    GITHUB_EVENT_NAME: options.eventName,
    GITHUB_EVENT_PATH: options.eventPath,
    GITHUB_SHA: options.sha,
    GITHUB_RUN_ID: options.runId,
    GITHUB_RUN_ATTEMPT: '1',
  };
}

/** The one service instance main saved for post (the `services` state), as a plain record. */
export function savedService(state: Record<string, string>): Record<string, unknown> {
  const saved = JSON.parse(state.services ?? '[]') as Record<string, unknown>[];
  return saved[0] ?? {};
}
