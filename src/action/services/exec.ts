import { getExecOutput } from '@actions/exec';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  cwd?: string;
  /** Keep the command's output out of the job log (it is still returned). */
  silent?: boolean;
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
    const output = await getExecOutput(program, [...args], {
      cwd: options.cwd,
      silent: options.silent ?? false,
      ignoreReturnCode: true,
    });
    return { exitCode: output.exitCode, stdout: output.stdout, stderr: output.stderr };
  },
};

/** The command line as a user would type it, for messages. */
export function commandLine(program: string, args: readonly string[]): string {
  return [program, ...args]
    .map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : `'${part}'`))
    .join(' ');
}
