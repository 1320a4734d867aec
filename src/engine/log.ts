/**
 * Where the engine reports progress. The CLI prints to stderr; the action maps these onto
 * @actions/core (info, warning, collapsible groups). The engine never imports either.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  group<T>(title: string, work: () => Promise<T>): Promise<T>;
}

export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  group: (_title, work) => work(),
};

export function stderrLogger(stream: NodeJS.WritableStream = process.stderr): Logger {
  return {
    info: (message) => stream.write(`${message}\n`),
    warn: (message) => stream.write(`warning: ${message}\n`),
    group: async (title, work) => {
      stream.write(`── ${title}\n`);
      return work();
    },
  };
}
