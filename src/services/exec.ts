import { spawn } from 'node:child_process';
import { onAbort } from '../shared/abort.js';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Stopped through `signal` before it finished. */
  aborted?: boolean;
}

export interface ExecOptions {
  cwd?: string;
  /** The program's environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Keep the command's output out of the log (it is still returned). */
  silent?: boolean;
  /** Stops the program (SIGTERM, then SIGKILL) when aborted. */
  signal?: AbortSignal;
}

/**
 * Runs a program and returns its exit code and output; never throws for a non-zero exit (the
 * caller decides what a failure means), only when the program cannot be started at all. The one
 * way the service layer runs programs, so unit tests swap in a recorder.
 */
export interface Exec {
  run(program: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult>;
}

const KILL_GRACE_MS = 5_000;

/**
 * Spawns the program; unless silent, its command line (`[command]…`, as @actions/exec prints it)
 * and its output (both streams) go to `echo`: the job log in the action, stderr in the CLI.
 */
export function spawnExec(echo: (text: string) => void): Exec {
  return {
    run(program, args, options = {}) {
      if (!options.silent) echo(`[command]${commandLine(program, args)}\n`);
      const child = spawn(program, [...args], {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (!options.silent) echo(chunk);
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (!options.silent) echo(chunk);
      });
      const { signal } = options;
      let killer: NodeJS.Timeout | undefined;
      const stop = () => {
        child.kill('SIGTERM');
        killer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      };
      const unfollow = onAbort(signal, stop);
      return new Promise<ExecResult>((resolve, reject) => {
        const settled = () => {
          unfollow();
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
            ...(signal?.aborted ? { aborted: true } : {}),
          });
        });
      });
    },
  };
}

/** The command line as a user would type it, for messages. */
export function commandLine(program: string, args: readonly string[]): string {
  return [program, ...args]
    .map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : `'${part}'`))
    .join(' ');
}
