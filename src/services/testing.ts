/**
 * A test double of the service layer's Exec. Imported by unit tests only; the entry points never
 * reach this module, so it is not in the bundle.
 */
import type { Exec, ExecOptions, ExecResult } from './exec.js';

export interface RecordedCall {
  program: string;
  args: string[];
  options: ExecOptions;
}

type Responder = (call: RecordedCall) => Partial<ExecResult> | 'not-installed' | undefined;

/** Records every command; `respond` scripts the answers (default: exit 0, no output). */
export function recordingExec(
  respond: Responder = () => undefined,
): Exec & { calls: RecordedCall[]; lines(): string[] } {
  const calls: RecordedCall[] = [];
  return {
    calls,
    lines: () => calls.map((call) => [call.program, ...call.args].join(' ')),
    async run(program, args, options = {}) {
      const call = { program, args: [...args], options };
      calls.push(call);
      const answer = respond(call);
      if (answer === 'not-installed')
        throw new Error(`Unable to locate executable file: ${program}`);
      return { exitCode: 0, stdout: '', stderr: '', ...answer };
    },
  };
}
