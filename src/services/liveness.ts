import { maskUrl } from '../shared/redact.js';

/** How long a health URL may take to answer a liveness check: it is polled during measurement. */
const HEALTH_TIMEOUT_MS = 2_000;

/** "12.3 s after it started": when a problem was seen, counted from the instance's start. */
export function sinceStart(startedMs: number | null): string {
  if (startedMs === null) return 'before it started';
  return `${((Date.now() - startedMs) / 1000).toFixed(1)} s after it started`;
}

/** The first health URL that does not answer 2xx, as a problem; null when all do. */
export async function healthProblem(urls: readonly string[]): Promise<string | null> {
  for (const url of urls) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) return `health URL ${maskUrl(url)} answered HTTP ${response.status}`;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      const why = cause ?? (error instanceof Error ? error.message : String(error));
      return `health URL ${maskUrl(url)} did not answer (${why})`;
    }
  }
  return null;
}

/** The problem as a round reports it: the instance (side), what, and when. */
export function namedProblem(instance: string, problem: string, startedMs: number | null): string {
  return `${instance}: ${problem}, ${sinceStart(startedMs)}`;
}
