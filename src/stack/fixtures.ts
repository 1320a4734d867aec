/**
 * Test-only: the seeded load-test endpoints as the seeder returns them, without a database, for
 * unit tests of what a run expects and counts. Nothing in the shipped code imports it.
 */
import { LOAD_TEST_ENDPOINTS } from './contracts.js';
import type { SeededEndpoint } from './seeder.js';

/** One active endpoint per load-test contract on `chainId`, ids and secrets made up. */
export function seededEndpointsFixture(chainId = 11155111): SeededEndpoint[] {
  return LOAD_TEST_ENDPOINTS.map((spec, i) => ({
    id: `00000000-0000-0000-0000-00000000000${i}`,
    applicationId: 'app',
    name: spec.endpointName,
    secret: 'x'.repeat(64),
    webhookUrl: 'http://127.0.0.1/webhook',
    contractAddresses: [spec.contract],
    eventSignatures: spec.eventSignatures ? [...spec.eventSignatures] : null,
    chainIds: [chainId],
    isActive: true,
  }));
}
