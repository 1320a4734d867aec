import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthAnswer {
  status: number;
  body: Record<string, unknown>;
}

export type HealthRoutes = Record<string, () => HealthAnswer | Promise<HealthAnswer>>;

export interface HealthServer {
  /** e.g. http://127.0.0.1:8081 (loopback even when bound to 0.0.0.0). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A plain HTTP server answering GET on a few paths with JSON. */
export async function startHealthServer(
  host: string,
  port: number,
  routes: HealthRoutes,
): Promise<HealthServer> {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    const route = request.method === 'GET' ? routes[path] : undefined;
    const answer = route
      ? Promise.resolve().then(route)
      : Promise.resolve({ status: 404, body: { error: `no route ${request.method} ${path}` } });
    answer
      .catch((error: unknown) => ({
        status: 500,
        body: { error: error instanceof Error ? error.message : String(error) },
      }))
      .then(({ status, body }) => {
        response.writeHead(status, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(body));
      });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const reachableHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${reachableHost.includes(':') ? `[${reachableHost}]` : reachableHost}:${actualPort}`,
    port: actualPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
