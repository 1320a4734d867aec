/**
 * An error the user can act on: printed as one clear line, never with a stack trace.
 * Anything else reaching the CLI's boundary is a bug and is printed with its stack.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
