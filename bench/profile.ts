/**
 * Where a side's CPU time goes: a CPU profile taken in-process with node:inspector's Profiler
 * (the V8 sampling profiler behind --cpu-prof), summarised as the top functions by self time.
 *
 * A profile is taken in its own round, never in a measured one: sampling costs a few percent.
 */
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
}

/** Functions listed per side; BENCH_PROFILE_TOP=20 lists more. */
export const PROFILE_TOP = Number(process.env.BENCH_PROFILE_TOP ?? 5);

export interface ProfileShare {
  name: string;
  share: number;
}

export class Profiler {
  private readonly session = new Session();

  async start(samplingIntervalUs = 200): Promise<void> {
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
    await this.session.post('Profiler.start');
  }

  async stop(): Promise<Profile> {
    const { profile } = (await this.session.post('Profiler.stop')) as { profile: Profile };
    await this.session.post('Profiler.disable');
    this.session.disconnect();
    return profile;
  }
}

/** `where` of a frame, short: the file (and line) for ours, the package for node_modules. */
function place(url: string, lineNumber: number): string {
  if (url === '') return '';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1]!;
  if (url.startsWith('node:')) return url;
  const file = url.replace(/^file:\/\//, '').replace(/^.*\/(src|bench)\//, '$1/');
  return `${file}:${lineNumber + 1}`;
}

/**
 * The `top` functions by self time, as shares of the samples, idle excluded (the share is of the
 * time the thread was busy). (garbage collector) and (program), V8's own, are kept: they are
 * part of the cost.
 */
export function topSelfTime(
  profile: Profile,
  top = 5,
  by: 'function' | 'place' = 'function',
): { busySamples: number; top: ProfileShare[] } {
  const byName = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    const where = place(url, lineNumber);
    const name =
      by === 'place'
        ? where.replace(/:\d+$/, '') || functionName
        : `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    byName.set(name, (byName.get(name) ?? 0) + hits);
    busy += hits;
  }
  const sorted = [...byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    busySamples: busy,
    top: sorted.map(([name, hits]) => ({ name, share: busy > 0 ? hits / busy : 0 })),
  };
}

/** "  42.1% handleWebhook src/engine/receiver/receiver.ts:401", one line per function. */
export function profileLines(title: string, summary: ReturnType<typeof topSelfTime>): string[] {
  return [
    `${title} (top self time of ${summary.busySamples.toLocaleString('en-US')} busy samples):`,
    ...summary.top.map(({ name, share }) => `  ${(share * 100).toFixed(1).padStart(5)}% ${name}`),
  ];
}
