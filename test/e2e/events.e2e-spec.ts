import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SigningKeyService } from '@praxis/auth';
import { DemoSeedService } from '@praxis/discovery';
import { ProtocolSourcesService } from '@praxis/protocols';
import { io, type Socket } from 'socket.io-client';
import { createTestApp, type TestApp } from '../support/app.js';
import { Role } from '../support/hardware.js';
import { freePort } from '../support/net.js';
import { decodeToken, otherKey, sign } from '../support/tokens.js';
import { eventually, runPolling, startWorker, type WorkerProcess } from '../support/worker.js';

type Auth = { Authorization: string };
interface Ev {
  seq: number | null;
  runId: string | null;
  type: string;
  at: string;
  payload: Record<string, any>;
}

// A run that produces events over a couple of seconds, so subscribers can join while it streams.
const SLOW = `
import { defineProtocol, step, z } from '@praxis/protocol';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const move = step('move', async (lh: any, tip: any, src: any, dst: any, v: number) => {
  await lh.pickUpTips([tip]); await lh.aspirate([src], [v]); await lh.dispense([dst], [v]); await lh.dropTips([tip]);
});
export default defineProtocol({
  name: 'events_slow', version: '1.0.0',
  parameters: z.object({ wells: z.number().int().min(1).max(96).default(12), delayMs: z.number().int().min(0).default(60) }),
  assets: {
    lh: { kind: 'machine', category: 'LiquidHandler' },
    tips: { kind: 'resource', category: 'tip_rack' },
    source: { kind: 'resource', category: 'plate' },
    destination: { kind: 'resource', category: 'plate' },
  },
  deckLayout: 'demo_layout',
  async run({ parameters, assets, log }) {
    const wells = assets.source.wells(); const targets = assets.destination.wells(); const spots = assets.tips.spots();
    for (let i = 0; i < parameters.wells; i++) {
      await move(assets.lh, spots[i], wells[i], targets[i], 1);
      log.info('well done', { well: i });
      await sleep(parameters.delayMs);
    }
  },
});
`;

const ASKS = `
import { defineProtocol, z } from '@praxis/protocol';
export default defineProtocol({
  name: 'events_asks', version: '1.0.0', assets: { lh: { kind: 'machine', category: 'LiquidHandler' } }, deckLayout: 'demo_layout',
  async run({ requestInput, output }) {
    const answer = await requestInput({ prompt: 'Is the lid off?', fields: { lidOff: z.boolean() } });
    output('lid_off', answer.lidOff);
  },
});
`;

const FAILS = `
import { defineProtocol, step } from '@praxis/protocol';
const spill = step('spill', async (lh: any, tip: any, src: any) => { await lh.pickUpTips([tip]); await lh.aspirate([src], [40]); throw new Error('dropped the plate'); });
export default defineProtocol({
  name: 'events_fails', version: '1.0.0',
  assets: { lh: { kind: 'machine', category: 'LiquidHandler' }, tips: { kind: 'resource', category: 'tip_rack' }, source: { kind: 'resource', category: 'plate' } },
  deckLayout: 'demo_layout',
  async run({ assets }) { await spill(assets.lh, assets.tips.spots()[95], assets.source.wells()[95]); },
});
`;

/** A Socket.IO client of the `/events` namespace that keeps every event it receives. */
class Client {
  readonly events: Ev[] = [];
  constructor(readonly socket: Socket) {
    socket.on('events', (batch: Ev[]) => this.events.push(...batch));
  }
  static connect(base: string, opts: { token?: string; header?: string } = {}): Promise<Client> {
    const socket = io(`${base}/events`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(opts.token ? { auth: { token: opts.token } } : {}),
      ...(opts.header ? { extraHeaders: { Authorization: opts.header } } : {}),
    });
    return new Promise((res, rej) => {
      socket.once('connect', () => res(new Client(socket)));
      socket.once('connect_error', (err: Error & { data?: unknown }) => {
        socket.close();
        rej(Object.assign(new Error(err.message), { data: err.data }));
      });
    });
  }
  subscribe(body: Record<string, unknown>): Promise<any> {
    return this.socket.timeout(20000).emitWithAck('subscribe', body);
  }
  run(runId: string): Ev[] {
    return this.events.filter((e) => e.runId === runId && e.seq !== null);
  }
  close(): void {
    this.socket.close();
  }
}

const refusal = (p: Promise<Client>) => p.then((c) => (c.close(), Promise.reject(new Error('the handshake was accepted'))), (err: Error & { data?: any }) => err.data);
const seqs = (events: Ev[]) => events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('live events: Socket.IO /events and GET /runs/{id}/events, two API instances and a worker', () => {
  let t: TestApp;
  let operator: Auth;
  let viewer: Auth;
  let viewerToken: string;
  let viewerId: string;
  let adminToken: string;
  let worker: WorkerProcess;
  let apiB: ChildProcess;
  let apiBOutput = '';
  let baseA: string;
  let baseB: string;
  let folder: string;
  let workcellId: string;
  const clients: Client[] = [];
  const defs: Record<string, string> = {};
  // An external OIDC issuer (a Keycloak realm, say) whose users may hold no Praxis role at all.
  const idpKey = otherKey();
  let idp: Server;
  let issuer: string;
  const idpToken = (roles: string[]) =>
    sign({ preferred_username: 'kc-user', realm_access: { roles } }, idpKey, { keyid: 'idp-1', issuer, audience: 'praxis-api', subject: 'kc-subject', expiresIn: 300 });

  const connect = async (base: string, token = viewerToken) => {
    const c = await Client.connect(base, { token });
    clients.push(c);
    return c;
  };
  const start = async (name: string, parameters: Record<string, unknown> = {}) => {
    const res = await t.http.post('/api/v1/runs').set(operator).send({ protocolId: defs[name], parameters });
    if (res.status !== 201) throw new Error(`start ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string };
  };
  const { get, until } = runPolling(() => t.http, () => viewer, 60000);
  const restLog = async (id: string): Promise<Ev[]> => {
    const items: Ev[] = [];
    for (let after = 0; ; ) {
      const page = (await t.http.get(`/api/v1/runs/${id}/events?afterSeq=${after}&limit=1000`).set(viewer).expect(200)).body;
      items.push(...page.items);
      if (page.items.length < 1000) return items;
      after = page.items[page.items.length - 1].seq;
    }
  };
  /** The whole stored log, once the run has ended and its last event is stored. */
  const finalLog = async (id: string) => {
    const run = await until(id, ['completed', 'failed', 'cancelled']);
    return eventually(async () => {
      const log = await restLog(id);
      return log.length && log[log.length - 1]!.payload.to === run.status ? log : undefined;
    }, `the last event of ${id}`);
  };
  const received = (c: Client, id: string, lastSeq: number) => eventually(async () => (c.run(id).some((e) => e.seq === lastSeq) ? true : undefined), `seq ${lastSeq} of ${id} on a client`);

  beforeAll(async () => {
    const jwk = { ...createPublicKey(idpKey).export({ format: 'jwk' }), kid: 'idp-1', use: 'sig', alg: 'RS256' };
    idp = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/realms/praxis`;
    t = await createTestApp({ AUTH_OIDC_ISSUER: issuer, AUTH_OIDC_JWKS_URI: `${issuer}/certs`, AUTH_OIDC_AUDIENCE: 'praxis-api' });
    await t.app.listen(0, '127.0.0.1');
    baseA = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    adminToken = await t.login();
    operator = { Authorization: `Bearer ${(await t.createUser('oli', Role.Operator)).token}` };
    const v = await t.createUser('val', Role.Viewer);
    viewerToken = v.token;
    viewerId = v.id;
    viewer = { Authorization: `Bearer ${viewerToken}` };
    await t.http.post('/api/v1/discovery/sync').set({ Authorization: `Bearer ${adminToken}` }).expect(200);
    await t.app.get(DemoSeedService).seed();
    const sources = t.app.get(ProtocolSourcesService);
    for (const d of (await sources.ensureFolderSource('examples', resolve('examples/protocols'))).report.added) defs[d.name] = d.id;
    folder = mkdtempSync(join(tmpdir(), 'praxis-events-'));
    writeFileSync(join(folder, 'slow.ts'), SLOW);
    writeFileSync(join(folder, 'asks.ts'), ASKS);
    writeFileSync(join(folder, 'fails.ts'), FAILS);
    const extra = await sources.ensureFolderSource('extra', folder);
    expect(extra.report.errors).toEqual([]);
    for (const d of extra.report.added) defs[d.name] = d.id;
    workcellId = (await t.db.query(`SELECT "workcellId" FROM machines WHERE name = 'starlet'`))[0].workcellId;

    // The second API instance: the built app as a real process on the same database, Redis and signing key.
    const port = await freePort();
    baseB = `http://127.0.0.1:${port}`;
    apiB = spawn(process.execPath, [join(process.cwd(), 'dist', 'apps', 'api', 'src', 'main.js')], {
      env: { PATH: process.env.PATH, DATABASE_URL: t.config.database.url, REDIS_URL: t.config.redis.url, PRAXIS_DATA_DIR: t.config.dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    apiB.stdout!.on('data', (d: Buffer) => (apiBOutput = (apiBOutput + d.toString()).slice(-20000)));
    apiB.stderr!.on('data', (d: Buffer) => (apiBOutput = (apiBOutput + d.toString()).slice(-20000)));
    await eventually(async () => ((await fetch(`${baseB}/api/v1/health`)).status === 200 ? true : undefined), `the second API instance (${apiBOutput})`, 30000, 100);
    worker = await startWorker(t.config.database.url, t.config.redis.url, t.redis);
  }, 90000);

  afterAll(async () => {
    for (const c of clients) c.close();
    if (apiB && apiB.exitCode === null) {
      const exited = new Promise((r) => apiB.once('exit', r));
      apiB.kill('SIGTERM');
      await exited;
    }
    await worker?.stop();
    await t?.close();
    await new Promise((r) => idp?.close(r));
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('refuses the handshake without a token, with a bad or a forged one and with an expired one; takes auth.token or the Authorization header', async () => {
    expect(await refusal(Client.connect(baseA))).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringContaining('Missing token') });
    expect(await refusal(Client.connect(baseB, { token: 'not-a-jwt' }))).toMatchObject({ code: 'UNAUTHENTICATED' });
    const { header, payload } = decodeToken(viewerToken);
    const forged = sign({ username: 'val', roles: ['admin'] }, otherKey(), { keyid: header.kid, issuer: payload.iss, audience: payload.aud as string, subject: viewerId, expiresIn: 600 });
    expect(await refusal(Client.connect(baseA, { token: forged }))).toMatchObject({ code: 'UNAUTHENTICATED' });
    const now = Math.floor(Date.now() / 1000);
    const keys = t.app.get(SigningKeyService);
    const expired = sign({ username: 'val', roles: ['viewer'], iat: now, exp: now - 5 }, keys.privateKey, { keyid: keys.kid, issuer: payload.iss, audience: payload.aud as string, subject: viewerId });
    expect(await refusal(Client.connect(baseB, { token: expired }))).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/expired/i) });

    const byAuth = await connect(baseA);
    expect(byAuth.socket.connected).toBe(true);
    // A connection does not outlive its token.
    const brief = sign({ username: 'val', roles: ['viewer'] }, keys.privateKey, { keyid: keys.kid, issuer: payload.iss, audience: payload.aud as string, subject: viewerId, expiresIn: 2 });
    const shortLived = await connect(baseB, brief);
    await eventually(async () => (shortLived.socket.connected ? undefined : true), 'the server to disconnect at expiry', 10000);
    const byHeader = await Client.connect(baseB, { header: `Bearer ${viewerToken}` });
    clients.push(byHeader);
    expect(await byHeader.subscribe({ workcellId })).toEqual({ ok: true, workcellId });
  });

  it('lets a viewer or better follow runs and workcells, and a user without a role connect but not follow', async () => {
    const run = await start('events_slow', { wells: 1, delayMs: 0 });
    const n = (await finalLog(run.id)).length;
    const nobody = await connect(baseA, idpToken(['offline_access']));
    expect(await nobody.subscribe({ runId: run.id })).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('viewer'), details: { requiredRole: 'viewer' } } });
    expect(await nobody.subscribe({ workcellId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(nobody.events).toEqual([]);
    const kcViewer = await connect(baseA, idpToken(['viewer']));
    expect(await kcViewer.subscribe({ runId: run.id })).toEqual({ ok: true, runId: run.id, lastSeq: n });
    expect(seqs(kcViewer.run(run.id))).toEqual(range(1, n));
    const admin = await connect(baseB, adminToken);
    expect(await admin.subscribe({ runId: run.id, afterSeq: 2 })).toEqual({ ok: true, runId: run.id, lastSeq: n });
    expect(seqs(admin.run(run.id))).toEqual(range(3, n));
  });

  it('answers a bad subscribe in the error envelope, naming the field; REST checks its query too', async () => {
    const c = await connect(baseA);
    const run = await start('events_slow', { wells: 1, delayMs: 0 });
    await finalLog(run.id);
    expect(await c.subscribe({ runId: 'nope' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', details: { fields: ['runId'] } } });
    expect(await c.subscribe({ runId: run.id, afterSeq: -1 })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', details: { fields: ['afterSeq'] } } });
    expect(await c.subscribe({ runId: run.id, afterSeq: 100000 })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', details: { fields: ['afterSeq'] } } });
    expect(await c.subscribe({ runId: run.id, colour: 'red' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', details: { fields: ['colour'] } } });
    expect(await c.subscribe({ runId: '0190a4e0-0000-7000-8000-000000000000' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await c.subscribe({ workcellId: '0190a4e0-0000-7000-8000-000000000000' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    const bad = await t.http.get(`/api/v1/runs/${run.id}/events?afterSeq=-3`).set(viewer).expect(400);
    expect(bad.body.error.details.fields).toEqual(['afterSeq']);
    expect((await t.http.get(`/api/v1/runs/${run.id}/events?type=nonsense`).set(viewer).expect(400)).body.error.details.fields).toEqual(['type']);
    await t.http.get('/api/v1/runs/0190a4e0-0000-7000-8000-000000000000/events').set(viewer).expect(404);
    await t.http.get(`/api/v1/runs/${run.id}/events`).expect(401);
    const page = (await t.http.get(`/api/v1/runs/${run.id}/events?afterSeq=2&limit=3`).set(viewer).expect(200)).body;
    const all = await restLog(run.id);
    expect(page).toEqual({ items: all.slice(2, 5), total: all.length - 2, limit: 3, offset: 0 });
    const statuses = (await t.http.get(`/api/v1/runs/${run.id}/events?type=run.status&limit=1000`).set(viewer).expect(200)).body.items;
    expect(statuses.map((e: Ev) => e.payload.to)).toEqual(['queued', 'preparing', 'running', 'completed']);
  }, 60000);

  it('follows a run from both instances: replay after afterSeq, then live, every seq exactly once across the switch, the same log as REST', async () => {
    const run = await start('events_slow', { wells: 14, delayMs: 70 });
    // From the start, on each instance.
    const a0 = await connect(baseA);
    const b0 = await connect(baseB);
    const [ackA0, ackB0] = await Promise.all([a0.subscribe({ runId: run.id }), b0.subscribe({ runId: run.id, afterSeq: 0 })]);
    expect(ackA0).toMatchObject({ ok: true, runId: run.id });
    expect(ackB0).toMatchObject({ ok: true, runId: run.id });
    // Mid-run, while events stream: replay of a part, then live.
    await eventually(async () => ((await restLog(run.id)).length >= 25 ? true : undefined), 'the first events of the run');
    const b10 = await connect(baseB);
    const a0late = await connect(baseA);
    await Promise.all([b10.subscribe({ runId: run.id, afterSeq: 10 }), a0late.subscribe({ runId: run.id })]);
    // Status changes made by an API instance interleave with the worker's events.
    await t.http.post(`/api/v1/runs/${run.id}/actions`).set(operator).send({ action: 'pause' }).expect(202);
    await until(run.id, ['paused']);
    const bPaused = await connect(baseB);
    const ackPaused = await bPaused.subscribe({ runId: run.id, afterSeq: 20 });
    expect(ackPaused.lastSeq).toBeGreaterThan(20);
    await t.http.post(`/api/v1/runs/${run.id}/actions`).set(operator).send({ action: 'resume' }).expect(202);

    const log = await finalLog(run.id);
    const n = log.length;
    expect(seqs(log)).toEqual(range(1, n));
    for (const c of [a0, b0, b10, a0late, bPaused]) await received(c, run.id, n);
    expect(a0.run(run.id)).toEqual(log);
    expect(b0.run(run.id)).toEqual(log);
    expect(a0late.run(run.id)).toEqual(log);
    expect(b10.run(run.id)).toEqual(log.slice(10));
    expect(bPaused.run(run.id)).toEqual(log.slice(20));
    expect(log.filter((e) => e.type === 'run.status').map((e) => e.payload.to)).toEqual(['queued', 'preparing', 'running', 'pausing', 'paused', 'running', 'completed']);
    // A reconnecting dashboard: a new connection after the end, from where it was.
    const again = await connect(baseA);
    const ack = await again.subscribe({ runId: run.id, afterSeq: n - 5 });
    expect(ack).toEqual({ ok: true, runId: run.id, lastSeq: n });
    expect(again.run(run.id)).toEqual(log.slice(n - 5));
  }, 90000);

  it('subscribers joining one after another while a run streams bursts of events each get exactly the seqs after theirs', async () => {
    // 40 wells: bursts of 10 events (step, 4 commands, 4 deck changes, log) 20 ms apart.
    const run = await start('events_slow', { wells: 40, delayMs: 20 });
    await eventually(async () => ((await restLog(run.id)).length >= 20 ? true : undefined), 'the first events of the run');
    const joined: Array<{ c: Client; after: number }> = [];
    for (let i = 0; i < 16; i++) {
      const head = (await t.http.get(`/api/v1/runs/${run.id}/events?limit=1`).set(viewer).expect(200)).body.total as number;
      const after = Math.max(0, head - (i % 4) * 7);
      const c = await connect(i % 2 ? baseB : baseA);
      const ack = await c.subscribe({ runId: run.id, afterSeq: after });
      expect(ack).toMatchObject({ ok: true, runId: run.id });
      joined.push({ c, after });
      if ((await get(run.id)).status === 'completed') break;
    }
    const log = await finalLog(run.id);
    expect(joined.filter((j) => j.after > 0 && j.after < log.length - 100).length).toBeGreaterThan(3);
    for (const { c, after } of joined) {
      await received(c, run.id, log.length);
      expect(seqs(c.run(run.id))).toEqual(range(after + 1, log.length));
      expect(c.run(run.id)).toEqual(log.slice(after));
    }
  }, 90000);

  it('reads a gap back from PostgreSQL: an event stored but never published reaches subscribers before the next one, and after a Redis reconnect without one', async () => {
    const run = (await t.http.post('/api/v1/runs').set(operator).send({ protocolId: defs.events_slow, scheduledAt: new Date(Date.now() + 3600_000).toISOString() }).expect(201)).body;
    const a = await connect(baseA);
    const b = await connect(baseB);
    await Promise.all([a.subscribe({ runId: run.id }), b.subscribe({ runId: run.id })]);
    // What a process that crashed between its commit and its publish would leave behind.
    const unpublished = async (message: string) =>
      t.db.query(
        `WITH head AS (UPDATE runs SET "lastEventSeq" = "lastEventSeq" + 1 WHERE id = $1 RETURNING "lastEventSeq" AS seq)
         INSERT INTO run_events ("runId", seq, type, at, payload) SELECT $1, seq, 'run.log', now(), $2::jsonb FROM head`,
        [run.id, JSON.stringify({ level: 'info', message, data: null, stepSeq: null })],
      );
    await unpublished('lost on the way');
    await t.http.post(`/api/v1/runs/${run.id}/actions`).set(operator).send({ action: 'cancel' }).expect(202);
    await received(a, run.id, 3);
    await received(b, run.id, 3);
    const log = await restLog(run.id);
    expect(log.map((e) => [e.seq, e.type, e.payload.to ?? e.payload.message])).toEqual([
      [1, 'run.status', 'scheduled'],
      [2, 'run.log', 'lost on the way'],
      [3, 'run.status', 'cancelled'],
    ]);
    expect(a.run(run.id)).toEqual(log);
    expect(b.run(run.id)).toEqual(log);
    // Messages published while the instances were cut off from Redis are gone; on reconnect they read the log.
    await unpublished('while Redis was away');
    await t.redis.client('KILL', 'TYPE', 'pubsub');
    await received(a, run.id, 4);
    await received(b, run.id, 4);
    expect(a.run(run.id)).toEqual(await restLog(run.id));
    expect(b.run(run.id)).toEqual(await restLog(run.id));
  }, 60000);

  it('streams every event type of a real plate_replication run: status, steps, commands, deck state, logs, output', async () => {
    const run = await start('plate_replication', { volume: 2 });
    const c = await connect(baseB);
    await c.subscribe({ runId: run.id });
    const log = await finalLog(run.id);
    await received(c, run.id, log.length);
    expect(c.run(run.id)).toEqual(log);
    const of = (type: string) => log.filter((e) => e.type === type);
    for (const e of log) expect(e).toEqual({ seq: expect.any(Number), runId: run.id, type: expect.any(String), at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), payload: expect.any(Object) });
    expect(of('run.status').map((e) => e.payload.to)).toEqual(['queued', 'preparing', 'running', 'completed']);
    expect(of('run.step').filter((e) => e.payload.phase === 'start')).toHaveLength(97);
    expect(of('run.step').filter((e) => e.payload.phase === 'end' && e.payload.status === 'completed')).toHaveLength(97);
    expect(of('run.command')).toHaveLength(384);
    expect(of('run.command')[0]!.payload).toMatchObject({ commandSeq: 1, stepSeq: 2, machine: 'starlet', command: 'pickUpTips' });
    // Each command that touched tips or liquid: only what changed.
    const deck = of('deck.state');
    expect(deck).toHaveLength(384);
    expect(deck[0]!.payload).toEqual({ machine: 'starlet', resources: { tips_1000_1_A1: { hasTip: false } } });
    expect(deck[1]!.payload.resources).toEqual({ source_plate_A1: { volume: expect.any(Number) } });
    expect(deck[2]!.payload.resources).toEqual({ destination_plate_A1: { volume: expect.any(Number) } });
    expect(deck[3]!.payload.resources).toEqual({ tips_1000_1_A1: { hasTip: true } });
    expect(of('run.log').map((e) => e.payload.level)).toContain('info');
    expect(of('run.output').map((e) => e.payload)).toEqual([expect.objectContaining({ name: 'total_volume_transferred', type: 'volume_uL', value: 192, resource: 'destination_plate' })]);
    // Order within a step: its start, its commands (each followed by its deck change), its end.
    const step2 = log.filter((e) => e.payload.stepSeq === 2);
    expect(step2.map((e) => `${e.type}${e.payload.phase ? `:${e.payload.phase}` : ''}`)).toEqual(['run.step:start', 'run.command', 'run.command', 'run.command', 'run.command', 'run.step:end']);
  }, 90000);

  it('run.input_required carries the prompt and its field schema', async () => {
    const run = await start('events_asks');
    const c = await connect(baseA);
    await c.subscribe({ runId: run.id });
    const asked = await eventually(async () => c.run(run.id).find((e) => e.type === 'run.input_required'), 'the prompt');
    expect(asked.payload).toMatchObject({ promptId: expect.any(String), prompt: 'Is the lid off?', fieldsSchema: { type: 'object', properties: { lidOff: { type: 'boolean' } } } });
    await until(run.id, ['awaiting_input']);
    await t.http.post(`/api/v1/runs/${run.id}/input`).set(operator).send({ values: { lidOff: true } }).expect(202);
    const log = await finalLog(run.id);
    await received(c, run.id, log.length);
    expect(c.run(run.id)).toEqual(log);
    expect(log.filter((e) => e.type === 'run.status').map((e) => e.payload.to)).toEqual(['queued', 'preparing', 'running', 'awaiting_input', 'running', 'completed']);
    expect(log.find((e) => e.type === 'run.output')!.payload).toMatchObject({ name: 'lid_off', value: true });
  }, 60000);

  it('after a failed run, deck.state carries the deck as restored from the snapshot, before the final status', async () => {
    const run = await start('events_fails');
    const c = await connect(baseB);
    await c.subscribe({ runId: run.id });
    const log = await finalLog(run.id);
    await received(c, run.id, log.length);
    expect(c.run(run.id)).toEqual(log);
    const deck = log.filter((e) => e.type === 'deck.state');
    const during = deck.find((e) => e.payload.resources.source_plate_H12)!;
    const restored = deck.find((e) => e.payload.restored === true)!;
    expect(restored.payload).toMatchObject({ machine: null, restored: true, resources: { tips_1000_1_H12: { hasTip: true } } });
    expect(restored.payload.resources.source_plate_H12.volume).toBe(during.payload.resources.source_plate_H12.volume + 40);
    expect(log.at(-1)!.payload.to).toBe('failed');
    expect(restored.seq).toBeLessThan(log.at(-1)!.seq!);
  }, 60000);

  it('a workcell subscriber gets its machines, then machine.status and its runs statuses live, on either instance', async () => {
    const a = await connect(baseA);
    const b = await connect(baseB);
    await Promise.all([a.subscribe({ workcellId }), b.subscribe({ workcellId })]);
    const starlet = (c: Client) => c.events.filter((e) => e.type === 'machine.status' && e.payload.name === 'starlet');
    for (const c of [a, b]) expect(starlet(c)).toEqual([{ seq: null, runId: null, type: 'machine.status', at: expect.any(String), payload: expect.objectContaining({ workcellId, name: 'starlet', status: 'available', currentRunId: null }) }]);
    const run = await start('events_slow', { wells: 1, delayMs: 0 });
    await finalLog(run.id);
    for (const c of [a, b]) {
      // (Only after this run's: the previous run's release may still have been on its way.)
      const taken = () => starlet(c).findIndex((e) => e.payload.status === 'in_use' && e.payload.currentRunId === run.id);
      await eventually(async () => (taken() > 0 && starlet(c).slice(taken() + 1).some((e) => e.payload.status === 'available' && e.payload.currentRunId === null) ? true : undefined), 'the starlet taken and given back');
      expect(starlet(c)[taken()]!.runId).toBe(run.id);
      await eventually(async () => (c.events.some((e) => e.runId === run.id && e.type === 'run.status' && e.payload.to === 'completed') ? true : undefined), 'the run status on the workcell');
      expect(c.events.filter((e) => e.runId === run.id && e.type === 'run.status').map((e) => e.payload.to)).toEqual(['queued', 'preparing', 'running', 'completed']);
    }
    // An operator's status change, made through instance A, reaches both.
    const machineId = starlet(a)[0]!.payload.machineId as string;
    await t.http.patch(`/api/v1/machines/${machineId}/status`).set(operator).send({ status: 'maintenance', reason: 'calibration' }).expect(200);
    for (const c of [a, b]) await eventually(async () => (starlet(c).some((e) => e.payload.status === 'maintenance' && e.payload.reason === 'calibration') ? true : undefined), 'maintenance');
    await t.http.patch(`/api/v1/machines/${machineId}/status`).set(operator).send({ status: 'available' }).expect(200);
    await eventually(async () => (starlet(b).at(-1)!.payload.status === 'available' ? true : undefined), 'available again');
  }, 60000);
});
