/**
 * EthHook's endpoint matching rule, in memory. The message processor evaluates the same rule in SQL
 * (see src/reference/matcher.ts); the run uses this copy to know how many deliveries to expect, so
 * both must agree on every edge case:
 *
 * - inactive endpoints never match;
 * - chain_ids NULL matches every chain, otherwise it must contain the event's chain;
 * - contract_addresses NULL matches every contract, otherwise one of them must equal the event's
 *   contract ignoring case (`LOWER(x) = ANY(...)`);
 * - event_signatures NULL matches every event, otherwise *every* element must be among the event's
 *   topics, compared exactly (`event_signatures <@ topics`). So the list holds topic hashes, an
 *   empty list matches everything, and a list of several topic0 hashes matches nothing.
 *
 * NULL elements inside an array never equal anything, as in SQL.
 */
export interface MatchableEndpoint {
  isActive: boolean;
  chainIds: readonly number[] | null;
  contractAddresses: readonly string[] | null;
  eventSignatures: readonly string[] | null;
}

export interface MatchableEvent {
  chainId: number;
  contract: string;
  topics: readonly string[];
}

export function endpointMatches(endpoint: MatchableEndpoint, event: MatchableEvent): boolean {
  if (!endpoint.isActive) return false;
  if (endpoint.chainIds !== null && !endpoint.chainIds.includes(event.chainId)) return false;
  if (endpoint.contractAddresses !== null) {
    const contract = event.contract.toLowerCase();
    const listed = endpoint.contractAddresses.some(
      (address) => address !== null && address.toLowerCase() === contract,
    );
    if (!listed) return false;
  }
  if (endpoint.eventSignatures !== null) {
    for (const signature of endpoint.eventSignatures) {
      if (signature === null || !event.topics.includes(signature)) return false;
    }
  }
  return true;
}

export function matchingEndpoints<T extends MatchableEndpoint>(
  endpoints: readonly T[],
  event: MatchableEvent,
): T[] {
  return endpoints.filter((endpoint) => endpointMatches(endpoint, event));
}
