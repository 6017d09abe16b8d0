import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { appendRunEvents, RunEventWriter, type RunEventDraft } from '@praxis/execution';
import { LIVE_EVENTS_CHANNEL, LiveEventPublisher, type LiveEvent, type LiveMessage, type RedisService } from '@praxis/redis';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createTestDatabase, testRedisUrl, type TestDatabase } from '../support/db.js';
import { eventually } from '../support/worker.js';

/** A pg pool as the Queryable the event log takes (what a DataSource answers: the rows). */
const queryable = (pool: pg.Pool) => ({ query: (sql: string, params?: unknown[]) => pool.query(sql, params as unknown[]).then((r) => r.rows) });

describe('the run event log: seqs from runs.lastEventSeq, group-commit writes', () => {
  let db: TestDatabase;
  // Two pools: two processes (the worker and an API instance) writing the same run's events.
  let poolA: pg.Pool;
  let poolB: pg.Pool;
  let redis: Redis;
  let listener: Redis;
  const published: LiveMessage[] = [];

  const newRun = async (): Promise<string> =>
    (
      await poolA.query(
        `INSERT INTO runs (id, "protocolId", "protocolName", "protocolVersion", "workcellId", status, parameters, assets, "createdBy")
         VALUES (gen_random_uuid(), gen_random_uuid(), 'p', '1.0.0', gen_random_uuid(), 'running', '{}', '{}', 'test') RETURNING id`,
      )
    ).rows[0].id as string;
  const stored = async (runId: string) => (await poolA.query('SELECT seq, type, payload FROM run_events WHERE "runId" = $1 ORDER BY seq', [runId])).rows as Array<{ seq: number; type: string; payload: Record<string, number> }>;
  const drafts = (writer: string, batch: number, n: number): RunEventDraft[] => Array.from({ length: n }, (_, i) => ({ type: 'run.log', at: new Date(), payload: { writer: writer === 'A' ? 0 : 1, batch, i } }));

  beforeAll(async () => {
    db = await createTestDatabase();
    poolA = new pg.Pool({ connectionString: db.url, max: 5 });
    poolB = new pg.Pool({ connectionString: db.url, max: 5 });
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
    listener = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
    listener.on('message', (_c: string, text: string) => published.push(JSON.parse(text) as LiveMessage));
    await listener.subscribe(LIVE_EVENTS_CHANNEL);
  });
  afterAll(async () => {
    await Promise.all([poolA.end(), poolB.end()]);
    redis.disconnect();
    listener.disconnect();
    await db.drop();
  });

  it('concurrent writers get consecutive seqs with no gap or duplicate, each batch in its own order, and lastEventSeq is the last', async () => {
    const runId = await newRun();
    const answers = await Promise.all(
      Array.from({ length: 120 }, async (_, b) => {
        const size = 1 + (b % 5);
        if (b % 3 === 2) {
          // Like a status change: the run's row locked first, then the event, in one transaction.
          const client = await poolB.connect();
          try {
            await client.query('BEGIN');
            await client.query('SELECT status FROM runs WHERE id = $1 FOR UPDATE', [runId]);
            const out = await appendRunEvents({ query: (sql, p) => client.query(sql, p as unknown[]).then((r) => r.rows) }, runId, drafts('B', b, size));
            await client.query('COMMIT');
            return out;
          } finally {
            client.release();
          }
        }
        return appendRunEvents(queryable(b % 2 ? poolA : poolB), runId, drafts(b % 2 ? 'A' : 'B', b, size));
      }),
    );
    const rows = await stored(runId);
    const total = answers.reduce((n, a) => n + a.length, 0);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect((await poolA.query('SELECT "lastEventSeq" FROM runs WHERE id = $1', [runId])).rows[0].lastEventSeq).toBe(total);
    for (const answer of answers) {
      const first = answer[0]!.seq!;
      expect(answer.map((e) => e.seq)).toEqual(answer.map((_, i) => first + i));
      expect(answer.map((e) => e.payload.i)).toEqual(answer.map((_, i) => i));
      for (const e of answer) expect(rows[e.seq! - 1]!.payload).toEqual(e.payload);
    }
  });

  it('no events for a run that does not exist (and no seq taken)', async () => {
    expect(await appendRunEvents(queryable(poolA), '0190a4e0-0000-7000-8000-000000000000', drafts('A', 0, 3))).toEqual([]);
  });

  it('RunEventWriter writes an event within its short linger when idle, batches what arrives meanwhile (500 per write at most), and publishes each committed batch', async () => {
    const runId = await newRun();
    const publisher = new LiveEventPublisher({ client: redis } as unknown as RedisService);
    const writer = new RunEventWriter(queryable(poolA), publisher, runId, 'wc-1');
    const mine = () => published.filter((m) => 'runId' in m && m.runId === runId);

    writer.emit('run.log', { n: 0 });
    await writer.flush();
    await eventually(async () => (mine().length === 1 ? true : undefined), 'the first batch');
    expect(mine()[0]!.events).toEqual([expect.objectContaining({ seq: 1, runId, type: 'run.log', payload: { n: 0 } })]);

    // 600 events at once: gathered during the linger, written 500 at most per write.
    for (let n = 1; n <= 600; n++) writer.emit('run.step', { n });
    await writer.flush();
    const rows = await stored(runId);
    expect(rows.map((r) => r.payload.n)).toEqual(Array.from({ length: 601 }, (_, i) => i));
    await eventually(async () => (mine().reduce((k, m) => k + m.events.length, 0) === 601 ? true : undefined), 'every batch published');
    const batches = mine().map((m) => m.events.length);
    expect(batches).toEqual([1, 500, 100]);
    const events: LiveEvent[] = mine().flatMap((m) => m.events);
    expect(events.map((e) => e.seq)).toEqual(rows.map((r) => r.seq));
    expect(mine().every((m) => m.workcellId === 'wc-1')).toBe(true);
    expect(writer.error).toBeNull();
  });

  it('a batch retried with its key after its commit went unanswered stores nothing; an append without a key in between keeps the seqs', async () => {
    const runId = await newRun();
    const key = '0190a4e0-0000-7000-8000-0000000000aa';
    const first = await appendRunEvents(queryable(poolA), runId, drafts('A', 0, 3), key);
    expect(first.map((e) => e.seq)).toEqual([1, 2, 3]);
    // A status change by the API (no key) lands between the attempts.
    expect((await appendRunEvents(queryable(poolB), runId, drafts('B', 1, 1))).map((e) => e.seq)).toEqual([4]);
    expect(await appendRunEvents(queryable(poolA), runId, drafts('A', 0, 3), key)).toEqual([]);
    expect((await appendRunEvents(queryable(poolA), runId, drafts('A', 2, 2), '0190a4e0-0000-7000-8000-0000000000bb')).map((e) => e.seq)).toEqual([5, 6]);
    const rows = await stored(runId);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rows.map((r) => [r.payload.writer, r.payload.batch])).toEqual([[0, 0], [0, 0], [0, 0], [1, 1], [0, 2], [0, 2]]);
    expect((await poolA.query('SELECT "lastEventSeq" FROM runs WHERE id = $1', [runId])).rows[0].lastEventSeq).toBe(6);
  });

  it('RunEventWriter: a write that committed but whose answer was lost (connection reset) is retried without storing anything twice', async () => {
    const runId = await newRun();
    const publisher = new LiveEventPublisher({ client: redis } as unknown as RedisService);
    let lose = 1;
    // The real database runs the statement; the answer is lost on the way back, as when the
    // connection dies between COMMIT and its reply.
    const lossy = {
      query: async (sql: string, params?: unknown[]) => {
        const rows = (await poolA.query(sql, params as unknown[])).rows;
        if (lose-- > 0) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
        return rows;
      },
    };
    const writer = new RunEventWriter(lossy, publisher, runId, 'wc-1');
    for (let n = 0; n < 5; n++) writer.emit('run.log', { n });
    await writer.flush();
    for (let n = 5; n < 8; n++) writer.emit('run.log', { n });
    await writer.flush();
    const rows = await stored(runId);
    expect(rows.map((r) => r.payload.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(writer.error).toBeNull();
  });
});
