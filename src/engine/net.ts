import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now (the OS picks it); for services we start ourselves. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port was assigned')),
      );
    });
  });
}

/**
 * Why the receiver cannot listen on host:port, or null when it can (port 0 always can): checked
 * before the SUT starts, so a taken port is named, not met as a raw EADDRINUSE half-way.
 */
export function listenProblem(host: string, port: number): Promise<string | null> {
  if (port === 0) return Promise.resolve(null);
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve(
        error.code === 'EADDRINUSE'
          ? `already in use on ${host}`
          : `cannot listen on ${host}: ${error.code ?? error.message}`,
      ),
    );
    server.listen(port, host, () => server.close(() => resolve(null)));
  });
}
