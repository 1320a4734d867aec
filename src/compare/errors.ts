export type InputFileProblem =
  'missing' | 'unreadable' | 'corrupt' | 'wrong-kind' | 'unsupported-version' | 'invalid';

/**
 * A result or baseline file that cannot be used, with a message that names the file and says
 * what to do. The CLI and the action turn it into a one-line error.
 */
export class InputFileError extends Error {
  constructor(
    readonly path: string,
    readonly problem: InputFileProblem,
    message: string,
  ) {
    super(message);
    this.name = 'InputFileError';
  }
}
