import { spawn } from 'node:child_process';
import { getExecOutput } from '@actions/exec';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Stopped through `signal` before it finished. */
  aborted?: boolean;
}

export interface ExecOptions {
  cwd?: string;
  /** Keep the command's output out of the job log (it is still returned). */
  silent?: boolean;
  /** Stops the program (SIGTERM, then SIGKILL) when aborted. */
  signal?: AbortSignal;
}

/**
 * Runs a program and returns its exit code and output; never throws for a non-zero exit (the
 * caller decides what a failure means), only when the program cannot be started at all.
 */
export interface Exec {
  run(program: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult>;
}

/** @actions/exec: echoes the command line and, unless silent, its output into the job log. */
export const actionsExec: Exec = {
  async run(program, args, options = {}) {
    if (options.signal) return runAbortable(program, args, options.signal, options);
    const output = await getExecOutput(program, [...args], {
      cwd: options.cwd,
      silent: options.silent ?? false,
      ignoreReturnCode: true,
    });
    return { exitCode: output.exitCode, stdout: output.stdout, stderr: output.stderr };
  },
};

const KILL_GRACE_MS = 5_000;

/**
 * @actions/exec cannot stop what it started, so an abortable command is spawned here, its command
 * line and output echoed into the job log as @actions/exec does (both streams on stdout).
 */
function runAbortable(
  program: string,
  args: readonly string[],
  signal: AbortSignal,
  options: ExecOptions,
): Promise<ExecResult> {
  if (!options.silent) process.stdout.write(`[command]${commandLine(program, args)}\n`);
  const child = spawn(program, [...args], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (!options.silent) process.stdout.write(chunk);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (!options.silent) process.stdout.write(chunk);
  });
  let killer: NodeJS.Timeout | undefined;
  const stop = () => {
    child.kill('SIGTERM');
    killer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  };
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  return new Promise<ExecResult>((resolve, reject) => {
    const settled = () => {
      signal.removeEventListener('abort', stop);
      clearTimeout(killer);
    };
    child.once('error', (error) => {
      settled();
      reject(error);
    });
    child.once('close', (code, killedBy) => {
      settled();
      resolve({
        exitCode: code ?? (killedBy === 'SIGKILL' ? 137 : 143),
        stdout,
        stderr,
        ...(signal.aborted ? { aborted: true } : {}),
      });
    });
  });
}

/** The command line as a user would type it, for messages. */
export function commandLine(program: string, args: readonly string[]): string {
  return [program, ...args]
    .map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : `'${part}'`))
    .join(' ');
}
