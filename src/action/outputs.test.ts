import { describe, expect, it } from 'vitest';
import { COMMENT_REQUEST_KIND, COMMENT_REQUEST_VERSION } from './constants.js';
import { commentRequestSchema } from './outputs.js';

const request = (metrics: Record<string, number>) => ({
  kind: COMMENT_REQUEST_KIND,
  version: COMMENT_REQUEST_VERSION,
  baselineName: 'quick',
  pullRequest: 7,
  headSha: 'a'.repeat(40),
  figures: { verdict: 'pass', metrics },
  markdown: 'ok',
});

describe('comment.json', () => {
  const good = { p50: 12, p95: 30, p99: 45, throughput: 480, lost: 0 };

  it('holds figures in their range, and refuses impossible ones naming the field', () => {
    expect(commentRequestSchema.safeParse(request(good)).success).toBe(true);
    for (const [field, value] of [
      ['p50', -5],
      ['p50', 0],
      ['throughput', -1],
      ['lost', -2],
    ] as const) {
      const parsed = commentRequestSchema.safeParse(request({ ...good, [field]: value }));
      expect(parsed.success, `${field} ${value}`).toBe(false);
      expect(parsed.error!.issues[0]!.path).toEqual(['figures', 'metrics', field]);
    }
  });
});
