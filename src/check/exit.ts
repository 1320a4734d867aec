import { InputFileError } from '../compare/errors.js';
import { ServiceUnavailableError, SutFailedError } from '../engine/run/errors.js';
import { StreamInUseError } from '../engine/run/lock.js';
import { BaseCommitError } from '../git/base-commit.js';
import { ComposeError } from '../services/compose.js';
import { SettingError } from '../settings/resolve.js';
import { ReferenceChoiceError } from './reference.js';
import { PairedRoundError } from './rounds.js';
import { PrepareCommandError } from './side.js';

/**
 * How every run ends, in one table (the README's "Exit codes" shows it): the CLI exits with the
 * code, the action fails its step for anything but a pass (`outcome` and `exit-code` outputs say
 * which). Verdicts take the low codes; errors the sysexits-style ones, so a script can tell a
 * regression from a bad flag from Redis being down.
 */
export const EXIT_CODES = {
  pass: 0,
  regression: 1,
  inconclusive: 2,
  /** `history`: a level shift in the newest nights. */
  drift: 3,
  /** A flag, input, setting or file that is not valid; nothing was measured. */
  input: 64,
  /** Redis or PostgreSQL did not answer or went away, or another run holds the stream. */
  service: 69,
  /** A bug of this tool: the message carries the stack. */
  internal: 70,
  /** The SUT did not start, never became ready, or died; nothing was judged. */
  sut: 75,
  /**
   * Stopped by SIGHUP (the terminal closed), Ctrl-C (SIGINT) or SIGTERM: 128 + the signal's
   * number, as shells report it.
   */
  SIGHUP: 129,
  SIGINT: 130,
  SIGTERM: 143,
} as const;

export type Verdict = 'pass' | 'regression' | 'inconclusive';
export type ErrorKind = 'input' | 'service' | 'sut' | 'internal';

export function exitCodeOfVerdict(
  outcome: Verdict,
  options: { failOnInconclusive: boolean },
): number {
  if (outcome === 'inconclusive' && !options.failOnInconclusive) return EXIT_CODES.pass;
  return EXIT_CODES[outcome];
}

/** Whose fault an error is; unknown errors are the tool's own. */
export function errorKind(error: unknown): ErrorKind {
  if (error instanceof PairedRoundError) return errorKind(error.cause);
  if (
    error instanceof SettingError ||
    error instanceof InputFileError ||
    error instanceof ReferenceChoiceError ||
    error instanceof BaseCommitError ||
    (error instanceof Error && error.name === 'InputError')
  ) {
    return 'input';
  }
  if (error instanceof ServiceUnavailableError || error instanceof StreamInUseError)
    return 'service';
  if (
    error instanceof SutFailedError ||
    error instanceof ComposeError ||
    error instanceof PrepareCommandError
  ) {
    return 'sut';
  }
  return 'internal';
}

export const TITLES: Record<ErrorKind, string> = {
  input: 'Invalid input',
  service: 'Redis or PostgreSQL unavailable',
  sut: 'The system under test failed',
  internal: 'Load test did not complete',
};
