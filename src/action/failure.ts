import type { ActionCore } from './core.js';

/**
 * A failure the user caused or must act on (a regression, a bad input, a service that did not
 * come up): reported as its message, with a title when it has one, never with a stack.
 */
export class ActionFailure extends Error {
  constructor(
    message: string,
    readonly title?: string,
  ) {
    super(message);
    this.name = 'ActionFailure';
  }
}

/** The one failure boundary of each entry point: turns whatever escaped into a failed step. */
export function failStep(core: Pick<ActionCore, 'setFailed'>, error: unknown): void {
  if (error instanceof ActionFailure) {
    core.setFailed(error.message, error.title ? { title: error.title } : undefined);
    return;
  }
  core.setFailed(error instanceof Error ? error.message : String(error));
}
