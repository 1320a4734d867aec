/**
 * What has been delivered: endpoint → run id → log index → sequence numbers.
 *
 * The documented duplicate key is (endpoint, tx_hash, log_index). For hashes made by encodeTxHash
 * the run id and sequence number identify the event (the schedule gives each sequence one shard
 * and one intended send time), so the key is held as numbers: no string per delivery. Sequence
 * numbers of a run are dense from its first one, so they are held as bits in fixed chunks
 * (SequenceBits), not in a Set: a Set of a million numbers is tens of MB the GC keeps marking and
 * rehashes as it grows, and those pauses would land in the latency being measured.
 */
export class DeliveredSet {
  private readonly byEndpoint = new Map<string, Map<string, Map<number, SequenceBits>>>();

  /** Records a delivery; false when it was recorded before (a duplicate). */
  add(endpointId: string, runId: string, logIndex: number, sequence: number): boolean {
    let byRun = this.byEndpoint.get(endpointId);
    if (!byRun) this.byEndpoint.set(endpointId, (byRun = new Map()));
    let byLog = byRun.get(runId);
    if (!byLog) byRun.set(runId, (byLog = new Map()));
    let sequences = byLog.get(logIndex);
    if (!sequences) byLog.set(logIndex, (sequences = new SequenceBits()));
    return sequences.add(sequence);
  }

  has(endpointId: string, runId: string, logIndex: number, sequence: number): boolean {
    return this.byEndpoint.get(endpointId)?.get(runId)?.get(logIndex)?.has(sequence) ?? false;
  }

  /** Whether the event reached the endpoint under any log index. */
  hasSequence(endpointId: string, runId: string, sequence: number): boolean {
    const byLog = this.byEndpoint.get(endpointId)?.get(runId);
    if (!byLog) return false;
    for (const sequences of byLog.values()) if (sequences.has(sequence)) return true;
    return false;
  }

  clear(): void {
    this.byEndpoint.clear();
  }
}

/** 2^15 sequences per chunk: 4 KB, allocated only where sequences fall. */
const CHUNK_BITS_LOG2 = 15;
const CHUNK_WORDS = (1 << CHUNK_BITS_LOG2) >> 5;
const IN_CHUNK_MASK = (1 << CHUNK_BITS_LOG2) - 1;

/** A set of whole numbers (0 to 2^48, as identity.ts encodes them) held as bits in chunks. */
export class SequenceBits {
  private readonly chunks = new Map<number, Uint32Array>();

  /** Adds `sequence`; false when it was there already. */
  add(sequence: number): boolean {
    const chunkIndex = Math.floor(sequence / (IN_CHUNK_MASK + 1));
    let chunk = this.chunks.get(chunkIndex);
    if (chunk === undefined) this.chunks.set(chunkIndex, (chunk = new Uint32Array(CHUNK_WORDS)));
    const bit = sequence - chunkIndex * (IN_CHUNK_MASK + 1);
    const word = bit >>> 5;
    const mask = 1 << (bit & 31);
    const before = chunk[word]!;
    if ((before & mask) !== 0) return false;
    chunk[word] = before | mask;
    return true;
  }

  has(sequence: number): boolean {
    const chunkIndex = Math.floor(sequence / (IN_CHUNK_MASK + 1));
    const chunk = this.chunks.get(chunkIndex);
    if (chunk === undefined) return false;
    const bit = sequence - chunkIndex * (IN_CHUNK_MASK + 1);
    return (chunk[bit >>> 5]! & (1 << (bit & 31))) !== 0;
  }
}
