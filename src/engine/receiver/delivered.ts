/**
 * What has been delivered: endpoint → run id → log index → sequence numbers.
 *
 * The documented duplicate key is (endpoint, tx_hash, log_index). For hashes made by encodeTxHash
 * the run id and sequence number identify the event (the schedule gives each sequence one shard
 * and one intended send time), so the key is held as numbers: no string per delivery, and a
 * million deliveries stay a few small sets for the GC, whose pauses would otherwise land in the
 * latency being measured.
 */
export class DeliveredSet {
  private readonly byEndpoint = new Map<string, Map<string, Map<number, Set<number>>>>();

  /** Records a delivery; false when it was recorded before (a duplicate). */
  add(endpointId: string, runId: string, logIndex: number, sequence: number): boolean {
    let byRun = this.byEndpoint.get(endpointId);
    if (!byRun) this.byEndpoint.set(endpointId, (byRun = new Map()));
    let byLog = byRun.get(runId);
    if (!byLog) byRun.set(runId, (byLog = new Map()));
    let sequences = byLog.get(logIndex);
    if (!sequences) byLog.set(logIndex, (sequences = new Set()));
    const before = sequences.size;
    sequences.add(sequence);
    return sequences.size !== before;
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
