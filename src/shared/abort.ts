/**
 * Calls `listener` once when `signal` aborts, at once when it has aborted already (an `abort`
 * event never comes again, so a listener added late would wait for nothing); returns what removes
 * it. The one way the code follows an outer signal: two waits once added their listener after the
 * signal was raised, and a SIGTERM went unheard until the ready timeout.
 */
export function onAbort(signal: AbortSignal | undefined, listener: () => void): () => void {
  if (!signal) return () => undefined;
  if (signal.aborted) {
    listener();
    return () => undefined;
  }
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}
