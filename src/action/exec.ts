import { getExecOutput } from '@actions/exec';
import { spawnExec, type Exec } from '../services/exec.js';

const abortable = spawnExec((text) => process.stdout.write(text));

/**
 * The service layer's Exec in the job log: @actions/exec echoes the command line and its output
 * as runners show them. It cannot stop what it started, so an abortable command is spawned by the
 * service layer's own Exec, which echoes the same way.
 */
export const actionsExec: Exec = {
  async run(program, args, options = {}) {
    if (options.signal) return abortable.run(program, args, options);
    const output = await getExecOutput(program, [...args], {
      cwd: options.cwd,
      ...(options.env ? { env: options.env as Record<string, string> } : {}),
      silent: options.silent ?? false,
      ignoreReturnCode: true,
    });
    return { exitCode: output.exitCode, stdout: output.stdout, stderr: output.stderr };
  },
};
