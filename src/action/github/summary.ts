import type { ActionCore } from '../core.js';

/**
 * The job summary gets the report on every run, whatever happens to the comment; outside a
 * runner (no GITHUB_STEP_SUMMARY) that is a warning, not a failure.
 */
export async function writeJobSummary(
  core: Pick<ActionCore, 'appendSummary' | 'warning'>,
  markdown: string,
): Promise<boolean> {
  try {
    await core.appendSummary(markdown);
    return true;
  } catch (error) {
    core.warning(
      `The job summary was not written: ${error instanceof Error ? error.message : String(error)}`,
    );
    return false;
  }
}
