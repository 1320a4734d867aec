import net from 'node:net';
import type { Redis } from 'ioredis';
import { LOAD_TEST_APPLICATION_ID } from '../../stack/seeder.js';

/** What an interrupted run left in the delivery queue, as found before measuring. */
export interface StaleDeliveries {
  /** Jobs of the tool's own endpoints addressed to a receiver that is gone: removed. */
  cleared: number;
  /** Jobs of the tool's own endpoints whose receiver still answers (another live run): kept. */
  ownLive: number;
  /** Jobs of other applications, or not jobs at all: named, never touched. */
  foreign: number;
  /** Up to a few hosts the foreign jobs are addressed to, for the log line. */
  foreignHosts: string[];
  /** Jobs looked at (the scan stops at maxScan). */
  scanned: number;
}

export interface StaleOptions {
  queue: string;
  /** Whether nothing answers at this webhook URL any more (default: a TCP connect is refused). */
  receiverGone?(url: string): Promise<boolean>;
  /** Look at most this many jobs (a queue this long is a SUT that is not delivering at all). */
  maxScan?: number;
}

const SCAN_CHUNK = 1_000;
const DEFAULT_MAX_SCAN = 100_000;
const NAMED_HOSTS = 3;

/**
 * Finds delivery jobs left by an interrupted run: after a SIGTERM or a killed SUT, jobs addressed
 * to the dead receiver's port stay queued, and the next SUT's circuit breaker opens on them. The
 * tool's own jobs (its seeded application, a receiver that no longer answers) are removed one by
 * one by value (LREM), so the SUT's workers popping meanwhile lose nothing; the rest is counted.
 */
export async function clearStaleDeliveries(
  redis: Redis,
  { queue, receiverGone = nothingListens, maxScan = DEFAULT_MAX_SCAN }: StaleOptions,
): Promise<StaleDeliveries> {
  const found: StaleDeliveries = {
    cleared: 0,
    ownLive: 0,
    foreign: 0,
    foreignHosts: [],
    scanned: 0,
  };
  const gone = new Map<string, Promise<boolean>>();
  const stale: string[] = [];
  for (let start = 0; start < maxScan; start += SCAN_CHUNK) {
    const jobs = await redis.lrange(queue, start, Math.min(start + SCAN_CHUNK, maxScan) - 1);
    for (const raw of jobs) {
      found.scanned++;
      const job = parseJob(raw);
      if (!job || job.applicationId !== LOAD_TEST_APPLICATION_ID) {
        found.foreign++;
        const host = job?.host ?? 'not a delivery job';
        if (found.foreignHosts.length < NAMED_HOSTS && !found.foreignHosts.includes(host)) {
          found.foreignHosts.push(host);
        }
        continue;
      }
      if (!gone.has(job.url)) gone.set(job.url, receiverGone(job.url));
      if (await gone.get(job.url)) stale.push(raw);
      else found.ownLive++;
    }
    if (jobs.length < SCAN_CHUNK) break;
  }
  for (const raw of stale) found.cleared += await redis.lrem(queue, 1, raw);
  return found;
}

/** The log line for what was found, or null when the queue held nothing of interest. */
export function describeStale(found: StaleDeliveries, queue: string): string | null {
  const parts = [
    found.cleared > 0 &&
      `cleared ${found.cleared} delivery job(s) a previous run left in ${queue} for a receiver that is gone`,
    found.ownLive > 0 &&
      `kept ${found.ownLive} job(s) of this tool's endpoints whose receiver still answers (another run?)`,
    found.foreign > 0 &&
      `left ${found.foreign} job(s) that are not this tool's untouched ` +
        `(to ${found.foreignHosts.join(', ')}); the SUT delivers them during the run`,
  ].filter((part): part is string => typeof part === 'string');
  return parts.length ? `Before measuring: ${parts.join('; ')}` : null;
}

function parseJob(raw: string): { applicationId: unknown; url: string; host: string } | null {
  try {
    const job = JSON.parse(raw) as { application_id?: unknown; url?: unknown };
    if (typeof job.url !== 'string') return null;
    return { applicationId: job.application_id, url: job.url, host: new URL(job.url).host };
  } catch {
    return null;
  }
}

/** Refused means gone; a timeout or an unresolvable host is not proof, so the job is kept. */
function nothingListens(url: string): Promise<boolean> {
  const { hostname, port, protocol } = new URL(url);
  // The compose SUT reaches the runner's receiver as host.docker.internal; the runner is here.
  const host = hostname === 'host.docker.internal' ? '127.0.0.1' : hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) || (protocol === 'https:' ? 443 : 80) });
    const done = (isGone: boolean) => {
      socket.destroy();
      resolve(isGone);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(false));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED'));
  });
}
