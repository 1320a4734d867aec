import type { EventGenerator } from '../events/generator.js';
import { matchingEndpoints, type MatchableEndpoint } from '../../stack/matching.js';

/**
 * The (endpoint, event) pairs a run expects, under the SUT's own matching rule evaluated on the
 * exact contract and topics each event carries.
 *
 * The rule depends only on contract and topics, and the generator draws those from a few hundred
 * shapes, so the rule runs once per shape and an event's endpoints are a lookup: nothing is built
 * or parsed per event. Counting is done before publishing for the planned events (`prepare`), so
 * the end of publishing, when webhooks are arriving and being timed, costs a subtraction.
 */
export class ExpectedPairs {
  /** Endpoint indexes matched by each generator shape. */
  private readonly endpointsByShape: readonly (readonly number[])[];
  private readonly indexById: ReadonlyMap<string, number>;
  /** pairsBefore[n] = pairs expected from sequences [0, n), for the prepared range. */
  private pairsBefore = new Float64Array(1);
  private prepared = 0;
  /** Sequences a run may publish: the prepared range, or unbounded when nothing was prepared. */
  private planned = Infinity;
  /** Sequences [0, published) reached the stream, except `failed`. null until settle(). */
  private published: number | null = null;
  private failed: ReadonlySet<number> = new Set();
  private settledCount = 0;

  constructor(
    private readonly generator: EventGenerator,
    readonly endpoints: readonly (MatchableEndpoint & { id: string; name: string })[],
  ) {
    const indexOf = new Map(endpoints.map((endpoint, index) => [endpoint, index]));
    this.endpointsByShape = generator.shapes().map((shape) =>
      matchingEndpoints(endpoints, {
        chainId: generator.chainId,
        contract: shape.contract,
        topics: shape.topics,
      }).map((endpoint) => indexOf.get(endpoint)!),
    );
    this.indexById = new Map(endpoints.map((endpoint, index) => [endpoint.id, index]));
  }

  /** The endpoint indexes event `sequence` must reach. */
  endpointsOf(sequence: number): readonly number[] {
    return this.endpointsByShape[this.generator.shapeOf(sequence)]!;
  }

  /**
   * Counts the pairs of sequences [0, events) ahead of time, and bounds what may arrive before
   * settle(); later calls extend the range.
   */
  prepare(events: number): void {
    this.planned = Number.isFinite(this.planned) ? Math.max(this.planned, events) : events;
    if (events <= this.prepared) return;
    const grown = new Float64Array(events + 1);
    grown.set(this.pairsBefore.subarray(0, this.prepared + 1));
    for (let sequence = this.prepared; sequence < events; sequence++) {
      grown[sequence + 1] = grown[sequence]! + this.endpointsOf(sequence).length;
    }
    this.pairsBefore = grown;
    this.prepared = events;
  }

  /** Fixes what reached the stream: sequences [0, published) whose XADD did not fail. */
  settle(published: number, failedSequences: Iterable<number>): void {
    this.prepare(published);
    this.published = published;
    this.failed = new Set(failedSequences);
    let count = this.pairsBefore[published]!;
    for (const sequence of this.failed) {
      if (sequence < published) count -= this.endpointsOf(sequence).length;
    }
    this.settledCount = count;
  }

  /**
   * Pairs expected from the first `events` sequences, as far as they were prepared (failed XADDs
   * not subtracted): what the SUT owes once that many events were published.
   */
  pairsOfFirst(events: number): number {
    const index = Math.min(Math.max(Math.floor(events), 0), this.prepared);
    return this.pairsBefore[index]!;
  }

  /** Number of expected pairs; 0 until settle(). */
  get count(): number {
    return this.settledCount;
  }

  /**
   * Whether the endpoint with this id expects event `sequence`. Before settle() every planned
   * sequence counts as published, so deliveries arriving while publishing are classified at once.
   */
  expects(endpointId: string, sequence: number): boolean {
    const index = this.indexById.get(endpointId);
    if (index === undefined || !(sequence >= 0 && sequence < (this.published ?? this.planned))) {
      return false;
    }
    if (this.failed.has(sequence)) return false;
    return this.endpointsOf(sequence).includes(index);
  }

  /** Calls `visit` for every expected pair (after settle()). */
  forEach(visit: (endpointIndex: number, sequence: number) => void): void {
    const published = this.published ?? 0;
    for (let sequence = 0; sequence < published; sequence++) {
      if (this.failed.has(sequence)) continue;
      for (const endpointIndex of this.endpointsOf(sequence)) visit(endpointIndex, sequence);
    }
  }
}
