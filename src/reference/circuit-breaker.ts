/**
 * EthHook's per-endpoint circuit breaker (webhook-delivery circuit_breaker.rs): after `threshold`
 * consecutive failed attempts an endpoint's circuit opens, and for `openMs` its jobs are skipped,
 * i.e. dropped, not retried later. After that jobs go through again (half-open): a success closes
 * the circuit, a failure opens it again. Any success resets the count.
 *
 * A load test sees this as lost deliveries, which is the honest outcome: that is what the real
 * pipeline does to an endpoint that fails several times in a row.
 */
export class CircuitBreaker {
  private readonly endpoints = new Map<
    string,
    { consecutiveFailures: number; openedAtMs: number | null; halfOpen: boolean }
  >();

  constructor(
    /** 0 disables the breaker. */
    private readonly threshold: number,
    private readonly openMs: number,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  allows(endpointId: string): boolean {
    const health = this.endpoints.get(endpointId);
    if (this.threshold <= 0 || !health || health.openedAtMs === null) return true;
    if (health.halfOpen) return true;
    if (this.nowMs() - health.openedAtMs >= this.openMs) {
      health.halfOpen = true;
      return true;
    }
    return false;
  }

  recordSuccess(endpointId: string): void {
    if (this.threshold <= 0) return;
    this.endpoints.delete(endpointId);
  }

  recordFailure(endpointId: string): void {
    if (this.threshold <= 0) return;
    let health = this.endpoints.get(endpointId);
    if (!health) {
      health = { consecutiveFailures: 0, openedAtMs: null, halfOpen: false };
      this.endpoints.set(endpointId, health);
    }
    health.consecutiveFailures++;
    if (health.consecutiveFailures >= this.threshold) {
      health.openedAtMs = this.nowMs();
      health.halfOpen = false;
    }
  }

  isOpen(endpointId: string): boolean {
    const health = this.endpoints.get(endpointId);
    return health !== undefined && health.openedAtMs !== null && !health.halfOpen;
  }
}
