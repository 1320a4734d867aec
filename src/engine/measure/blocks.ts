import { createHistogram, encodeHistogram, recordUs, type Histogram } from './histogram.js';

/**
 * Latency histograms per block of consecutive events (by sequence number, i.e. by intended send
 * time), so the sampling noise inside one trial can be estimated by resampling whole blocks. Two
 * runs of the same events split the same way hold the same events in block k.
 */
export class LatencyBlocks {
  private readonly blocks: Histogram[] = [];

  constructor(readonly eventsPerBlock: number) {
    if (!Number.isInteger(eventsPerBlock) || eventsPerBlock < 1) {
      throw new RangeError(`eventsPerBlock must be a positive integer, got ${eventsPerBlock}`);
    }
  }

  record(sequence: number, latencyUs: number): void {
    const index = Math.floor(sequence / this.eventsPerBlock);
    while (this.blocks.length <= index) this.blocks.push(createHistogram());
    recordUs(this.blocks[index] as Histogram, latencyUs);
  }

  /** Every block from the first to the last that received a delivery, empty ones included. */
  encoded(): string[] {
    return this.blocks.map(encodeHistogram);
  }

  reset(): void {
    this.blocks.length = 0;
  }
}

/** How many blocks a trial is split into: enough to resample, each still holding many events. */
export const LATENCY_BLOCK_COUNT = 10;

/** Events per block for a trial of `events` events; null when the count is not known up front. */
export function eventsPerLatencyBlock(events: number | null): number | null {
  return events && events > 0 ? Math.ceil(events / LATENCY_BLOCK_COUNT) : null;
}
