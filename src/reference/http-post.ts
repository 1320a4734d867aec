import http from 'node:http';
import https from 'node:https';

export interface PostOutcome {
  status: number;
  /** The response body, cut at `MAX_BODY_CHARS` (what EthHook keeps in delivery_attempts). */
  body: string;
}

export const MAX_BODY_CHARS = 10_000;

/**
 * POSTs over keep-alive connections (as reqwest's pool does), with one deadline for the whole
 * exchange. Resolves with the status once the response body has been read; rejects on network
 * errors and timeouts, which the caller treats as retryable.
 */
export class WebhookClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(maxFreeSockets: number) {
    this.httpAgent = new http.Agent({ keepAlive: true, maxFreeSockets });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxFreeSockets });
  }

  post(
    url: string,
    body: string,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<PostOutcome> {
    return new Promise((resolve, reject) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        reject(new Error(`invalid webhook URL: ${url}`));
        return;
      }
      const secure = target.protocol === 'https:';
      if (!secure && target.protocol !== 'http:') {
        reject(new Error(`unsupported webhook URL scheme: ${target.protocol}`));
        return;
      }
      const request = (secure ? https : http).request(target, {
        method: 'POST',
        agent: secure ? this.httpsAgent : this.httpAgent,
        headers: { ...headers, 'Content-Length': Buffer.byteLength(body) },
      });
      const timer = setTimeout(() => {
        request.destroy(new Error(`timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      request.on('response', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (text.length < MAX_BODY_CHARS) text += chunk.slice(0, MAX_BODY_CHARS - text.length);
        });
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, body: text });
        });
        response.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
