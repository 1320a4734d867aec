import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { withoutCommitFlushWaits } from './pipeline.js';
import { TEST_DATABASE_URL, urlWithSearchPath } from '../stack/test-support.js';

describe('withoutCommitFlushWaits', () => {
  it('turns synchronous_commit off on the connection and keeps existing startup options', async () => {
    const url = withoutCommitFlushWaits(urlWithSearchPath(TEST_DATABASE_URL, 'lt_probe'));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      expect((await client.query('SHOW synchronous_commit')).rows[0]).toEqual({
        synchronous_commit: 'off',
      });
      expect((await client.query('SHOW search_path')).rows[0]).toEqual({ search_path: 'lt_probe' });
    } finally {
      await client.end();
    }
  });
});
