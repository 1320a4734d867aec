/**
 * Tools some suites need beyond Node, Redis and PostgreSQL: headless Chromium (test/browser) and
 * a Docker engine (test/docker). Without one, the suite is skipped, saying why and which command
 * provides it; under CI=true it fails instead, since CI (.ci/run) installs both and a skip there
 * would hide a test that never ran.
 */
export function missingPrerequisite(suite: string, missing: string | undefined): boolean {
  if (missing === undefined) return false;
  if (process.env.CI === 'true') {
    throw new Error(`${suite} cannot run: ${missing} (CI=true: every suite must run)`);
  }
  console.warn(`${suite} skipped: ${missing}`);
  return true;
}
