import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import { EXIT_CODES } from '../check/exit.js';
import { UserError } from './errors.js';
import { maskUrlsIn } from '../shared/redact.js';
import { TOOL_NAME, TOOL_VERSION } from '../engine/version.js';

/** commander echoes a refused argument whole: a URL's password must not go with it. */
const MASKED_OUTPUT = {
  writeErr: (text: string) => process.stderr.write(maskUrlsIn(text)),
  outputError: (text: string, write: (text: string) => void) => write(maskUrlsIn(text)),
};

export type CommandRegistrar = (program: Command) => void;

/** Builds the CLI program; each subcommand lives in src/cli/commands and registers itself here. */
export function buildProgram(registrars: readonly CommandRegistrar[]): Command {
  const program = new Command()
    .name(TOOL_NAME)
    .description('Load-test an EthHook-style webhook pipeline and catch performance regressions.')
    .version(TOOL_VERSION)
    .showHelpAfterError('(add --help for usage)')
    .configureOutput(MASKED_OUTPUT)
    .exitOverride();
  for (const register of registrars) register(program);
  for (const command of program.commands)
    command
      .exitOverride()
      .showHelpAfterError('(add --help for usage)')
      .configureOutput(MASKED_OUTPUT);
  return program;
}

/** The one boundary of the CLI: maps every failure to a message and an exit code. */
export async function runCli(
  argv: readonly string[],
  registrars: readonly CommandRegistrar[],
): Promise<number> {
  const program = buildProgram(registrars);
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed its message (help, version, or a usage error).
      return error.exitCode === 0 ? 0 : EXIT_CODES.input;
    }
    if (error instanceof UserError) {
      process.stderr.write(`${pc.red('error:')} ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(
      `${pc.red('internal error:')} ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT_CODES.internal;
  }
}
