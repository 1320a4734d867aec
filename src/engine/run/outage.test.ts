import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleepMs } from '../clock.js';
import { createTestSchema, TEST_REDIS_URL, type TestSchema } from '../../stack/test-support.js';
import { ServiceWatch } from './outage.js';

describe('ServiceWatch', () => {
  let schema: TestSchema;
  const id = '00000000-0000-4000-8000-000000000001';

  beforeAll(async () => {
    schema = await createTestSchema('watch');
    await schema.pool.query('CREATE TABLE endpoints (id uuid PRIMARY KEY)');
    await schema.pool.query('INSERT INTO endpoints (id) VALUES ($1)', [id]);
  });
  afterAll(async () => {
    await schema?.drop();
  });

  it('waits, at its last look, for a probe queued behind a lock, and sees what it was waiting on', async () => {
    // A DROP SCHEMA waiting for its exclusive lock holds every later query on the tables behind
    // it: the probe under way then answers only once the drop has landed. The last look must wait
    // for it, not report "nothing wrong" because a probe is still out (a CI run, stop 32: both
    // trials ended without seeing a schema dropped 1 s in).
    const locker = await schema.pool.connect();
    const watch = new ServiceWatch(TEST_REDIS_URL, schema.url, [id]).start();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE endpoints IN ACCESS EXCLUSIVE MODE');
      await sleepMs(1_200); // the watch has sent its SELECT, which now waits for the lock
      const lastLook = watch.check();
      await locker.query('DELETE FROM endpoints');
      await locker.query('COMMIT');
      const outage = await lastLook;
      expect(outage?.service).toBe('PostgreSQL');
      expect(outage?.message).toMatch(/1 of the 1 seeded endpoints are gone/);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      locker.release();
      await watch.stop();
    }
  });
});
