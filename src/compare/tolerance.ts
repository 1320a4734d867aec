/** How much worse than the baseline a metric may get before it is a regression. */
export const DEFAULT_TOLERANCE = 1.5;

export class InvalidToleranceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidToleranceError';
  }
}

const VALID_FORMS = 'a ratio of at least 1, written 1.5, 1.5x or 150%';

/**
 * Parses a tolerance ratio: `1.5`, `1.5x` and `150%` all mean "fail when 1.5 times worse".
 * `inputName` names the flag or action input in the error, so the user knows what to fix.
 */
export function parseTolerance(raw: string, inputName = 'tolerance'): number {
  const text = raw.trim();
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s*(x|%)?$/i.exec(text);
  if (!match) {
    throw new InvalidToleranceError(`Invalid ${inputName} "${raw}": expected ${VALID_FORMS}.`);
  }
  const [, number = '', suffix] = match;
  const ratio = suffix === '%' ? Number(number) / 100 : Number(number);
  if (!Number.isFinite(ratio) || ratio < 1) {
    // "50%" usually means "50% slack", i.e. 150%; say so rather than guess.
    const hint = suffix === '%' && ratio > 0 ? ` Did you mean ${Number(number) + 100}%?` : '';
    throw new InvalidToleranceError(
      `Invalid ${inputName} "${raw}": it is ${formatTolerance(ratio)}, below 1, so an unchanged run would fail; expected ${VALID_FORMS}.${hint}`,
    );
  }
  return ratio;
}

export function formatTolerance(ratio: number): string {
  return `${Number(ratio.toFixed(3))}x`;
}
