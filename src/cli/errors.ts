import { EXIT_CODES } from '../check/exit.js';

/**
 * An error the user can act on: printed as one clear line, never with a stack trace, with the
 * exit code of its kind (src/check/exit.ts; bad input by default). Anything else reaching the
 * CLI's boundary is a bug and is printed with its stack.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_CODES.input,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
