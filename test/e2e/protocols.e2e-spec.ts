import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DemoSeedService } from '@praxis/discovery';
import { createTestApp, type TestApp } from '../support/app.js';
import { Role } from '../support/hardware.js';

type Auth = { Authorization: string };

const TRANSFER = (version: string, volumeMax: number) => `
import { defineProtocol, step, z } from '@praxis/protocol';
const noop = step('noop', async (n: number) => n + 1);
export default defineProtocol({
  name: 'transfer', version: '${version}', category: 'liquid', tags: ['demo', 'transfer'],
  description: 'A test protocol',
  parameters: z.object({ volume: z.number().positive().max(${volumeMax}).default(10), label: z.string().optional() }),
  assets: { tips: { kind: 'resource', category: 'tip_rack' } },
  async run({ state }) { state.set('n', await noop(1)); },
});
`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } })
    .toString()
    .trim();
}

describe('protocols: sources, discovery, definitions, simulation', () => {
  let t: TestApp;
  let admin: Auth;
  let operator: Auth;
  let viewer: Auth;
  let repo: string;
  let work: string;
  const fields = (res: { body: { error: { details: { fields: string[] } } } }) => res.body.error.details.fields;

  beforeAll(async () => {
    t = await createTestApp({ PROTOCOL_LOAD_TIMEOUT_MS: '3000' });
    admin = { Authorization: `Bearer ${await t.login()}` };
    operator = { Authorization: `Bearer ${(await t.createUser('opal', Role.Operator)).token}` };
    viewer = { Authorization: `Bearer ${(await t.createUser('vera', Role.Viewer)).token}` };
    await t.http.post('/api/v1/discovery/sync').set(admin).expect(200);
    await t.app.get(DemoSeedService).seed();
    work = mkdtempSync(join(tmpdir(), 'praxis-protocols-e2e-'));
    repo = join(work, 'repo');
    mkdirSync(join(repo, 'lib'), { recursive: true });
    git(repo, 'init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'transfer.ts'), TRANSFER('1.0.0', 300));
    writeFileSync(join(repo, 'lib', 'util.ts'), 'export const twice = (x: number): number => 2 * x;\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'first');
    git(repo, 'tag', 'v1');
  });
  afterAll(async () => {
    await t.close();
    rmSync(work, { recursive: true, force: true });
  });

  describe('bad sources', () => {
    it('refuses a missing or non-folder path, naming path', async () => {
      const missing = await t.http.post('/api/v1/protocols/sources').set(admin).send({ kind: 'filesystem', path: join(work, 'nope') }).expect(400);
      expect(fields(missing)).toEqual(['path']);
      expect(missing.body.error.message).toContain('does not exist');
      const file = await t.http.post('/api/v1/protocols/sources').set(admin).send({ kind: 'filesystem', path: join(repo, 'transfer.ts') }).expect(400);
      expect(fields(file)).toEqual(['path']);
      const none = await t.http.post('/api/v1/protocols/sources').set(admin).send({ kind: 'filesystem' }).expect(400);
      expect(fields(none)).toEqual(['path']);
    });

    it('refuses an unreachable or invalid git URL (url) and an unknown or malformed ref (ref)', async () => {
      const unreachable = await t.http.post('/api/v1/protocols/sources').set(admin).send({ kind: 'git', url: `file://${join(work, 'no-such-repo')}`, ref: 'main' }).expect(400);
      expect(fields(unreachable)).toEqual(['url']);
      const notGit = await t.http.post('/api/v1/protocols/sources').set(admin).send({ kind: 'git', url: work, ref: 'main' }).expect(400);
      expect(fields(notGit)).toEqual(['url']);
      const option = await t.http.post('/api/v1/protocols/sources').set(admin).send({ kind: 'git', url: '--upload-pack=touch /tmp/x', ref: 'main' }).expect(400);
      expect(fields(option)).toEqual(['url']);
      const ref = await t.http.post('/api/v1/protocols/sources').set(admin).send({ kind: 'git', url: repo, ref: 'no-such-branch' }).expect(400);
      expect(fields(ref)).toEqual(['ref']);
      expect(ref.body.error.message).toContain('no-such-branch');
      const bad = await t.http.post('/api/v1/protocols/sources').set(admin).send({ kind: 'git', url: repo, ref: '--output=/tmp/x' }).expect(400);
      expect(fields(bad)).toEqual(['ref']);
      const kind = await t.http.post('/api/v1/protocols/sources').set(admin).send({ kind: 'svn', url: repo }).expect(400);
      expect(fields(kind)).toEqual(['kind']);
    });

    it('leaves source writes to admins', async () => {
      await t.http.post('/api/v1/protocols/sources').set(operator).send({ kind: 'filesystem', path: repo }).expect(403);
      await t.http.get('/api/v1/protocols/sources').expect(401);
      await t.http.get('/api/v1/protocols/sources').set(viewer).expect(200);
    });
  });

  describe('a git source', () => {
    let sourceId: string;
    let firstId: string;

    it('syncs: clones, resolves the ref to a commit, discovers and stores the definitions', async () => {
      const created = await t.http.post('/api/v1/protocols/sources').set(admin).send({ kind: 'git', url: repo, ref: 'main' }).expect(201);
      expect(created.body).toMatchObject({ name: 'repo', kind: 'git', url: repo, ref: 'main', revision: null });
      sourceId = created.body.id;
      const sync = await t.http.post(`/api/v1/protocols/sources/${sourceId}/sync`).set(admin).expect(200);
      const head = git(repo, 'rev-parse', 'HEAD');
      expect(sync.body).toMatchObject({ sourceId, revision: head, filesScanned: 2, updated: [], unchanged: [], removed: [], errors: [] });
      expect(sync.body.added).toEqual([{ id: expect.any(String), name: 'transfer', version: '1.0.0', file: 'transfer.ts' }]);
      firstId = sync.body.added[0].id;
      const def = await t.http.get(`/api/v1/protocols/definitions/${firstId}`).set(viewer).expect(200);
      expect(def.body).toMatchObject({
        name: 'transfer',
        version: '1.0.0',
        category: 'liquid',
        tags: ['demo', 'transfer'],
        revision: head,
        current: true,
        file: 'transfer.ts',
        exportName: 'default',
        source: { id: sourceId, name: 'repo', kind: 'git' },
        assets: { tips: { kind: 'resource', category: 'tip_rack' } },
        parametersSchema: { type: 'object', properties: { volume: { type: 'number', default: 10, maximum: 300 }, label: { type: 'string' } } },
      });
      expect(def.body.code).toBeUndefined();
      const src = await t.http.get(`/api/v1/protocols/sources/${sourceId}`).set(viewer).expect(200);
      expect(src.body).toMatchObject({ revision: head, lastSyncReport: { added: [{ id: firstId }] } });
      expect(src.body.lastSyncedAt).not.toBeNull();
    });

    it('changes nothing when synced again unchanged', async () => {
      const again = await t.http.post(`/api/v1/protocols/sources/${sourceId}/sync`).set(admin).expect(200);
      expect(again.body).toMatchObject({ added: [], updated: [], removed: [], errors: [], unchanged: [{ id: firstId }] });
      const list = await t.http.get(`/api/v1/protocols/definitions?sourceId=${sourceId}`).set(viewer).expect(200);
      expect(list.body.total).toBe(1);
    });

    it('makes a new revision for changed code, keeps the old one for pinned runs, and reports bad files with their line', async () => {
      writeFileSync(join(repo, 'transfer.ts'), TRANSFER('1.0.0', 250));
      writeFileSync(join(repo, 'transfer2.ts'), TRANSFER('2.0.0', 100));
      writeFileSync(join(repo, 'broken.ts'), "import { defineProtocol } from '@praxis/protocol';\n\nexport default defineProtocol({ name: 'broken', version: '1.0.0' run() {} });\n");
      writeFileSync(join(repo, 'dup.ts'), TRANSFER('2.0.0', 5));
      git(repo, 'add', '.');
      git(repo, 'commit', '-q', '-m', 'second');
      const head = git(repo, 'rev-parse', 'HEAD');
      const sync = await t.http.post(`/api/v1/protocols/sources/${sourceId}/sync`).set(admin).expect(200);
      expect(sync.body.revision).toBe(head);
      expect(sync.body.updated).toEqual([{ id: expect.any(String), name: 'transfer', version: '1.0.0', file: 'transfer.ts' }]);
      expect(sync.body.added).toEqual([{ id: expect.any(String), name: 'transfer', version: '2.0.0', file: 'dup.ts' }]);
      const errors = sync.body.errors as Array<{ file: string; line?: number; message: string }>;
      expect(errors.find((e) => e.file === 'broken.ts')).toMatchObject({ line: 3, message: expect.stringContaining('Expected') });
      expect(errors.find((e) => e.file === 'transfer2.ts')?.message).toContain('also defined in dup.ts');
      const newId = sync.body.updated[0].id;
      expect(newId).not.toBe(firstId);
      const old = await t.http.get(`/api/v1/protocols/definitions/${firstId}`).set(viewer).expect(200);
      expect(old.body).toMatchObject({ current: false, parametersSchema: { properties: { volume: { maximum: 300 } } } });
      const fresh = await t.http.get(`/api/v1/protocols/definitions/${newId}`).set(viewer).expect(200);
      expect(fresh.body).toMatchObject({ current: true, revision: head, parametersSchema: { properties: { volume: { maximum: 250 } } } });

      const all = await t.http.get(`/api/v1/protocols/definitions?sourceId=${sourceId}&sort=createdAt`).set(viewer).expect(200);
      expect(all.body.total).toBe(3);
      const latest = await t.http.get(`/api/v1/protocols/definitions?sourceId=${sourceId}&latest=true`).set(viewer).expect(200);
      expect(latest.body.items.map((d: { version: string }) => d.version)).toEqual(['2.0.0']);
      const current = await t.http.get(`/api/v1/protocols/definitions?sourceId=${sourceId}&current=true&sort=version`).set(viewer).expect(200);
      expect(current.body.items.map((d: { id: string }) => d.id)).toEqual([newId, sync.body.added[0].id]);
      const byTag = await t.http.get('/api/v1/protocols/definitions?tag=transfer&name=transfer&version=1.0.0').set(viewer).expect(200);
      expect(byTag.body.total).toBe(2);
      const bad = await t.http.get('/api/v1/protocols/definitions?latest=maybe').set(viewer).expect(400);
      expect(fields(bad)).toEqual(['latest']);
    });

    it('follows a tag, and answers a ref that went away with 400 naming ref', async () => {
      const tagged = await t.http.post('/api/v1/protocols/sources').set(admin).send({ kind: 'git', name: 'repo-v1', url: `file://${repo}`, ref: 'v1' }).expect(201);
      const sync = await t.http.post(`/api/v1/protocols/sources/${tagged.body.id}/sync`).set(admin).expect(200);
      expect(sync.body.revision).toBe(git(repo, 'rev-parse', 'v1^{commit}'));
      expect(sync.body.added.map((d: { version: string }) => d.version)).toEqual(['1.0.0']);
      git(repo, 'tag', '-d', 'v1');
      const gone = await t.http.post(`/api/v1/protocols/sources/${tagged.body.id}/sync`).set(admin).expect(400);
      expect(fields(gone)).toEqual(['ref']);
      const dupName = await t.http.post('/api/v1/protocols/sources').set(admin).send({ kind: 'git', name: 'repo-v1', url: repo, ref: 'main' }).expect(409);
      expect(dupName.body.error.code).toBe('ALREADY_EXISTS');
    });
  });

  describe('the examples folder', () => {
    let defs: Record<string, string>;
    let folder: string;

    beforeAll(async () => {
      folder = join(work, 'examples');
      cpSync(resolve('examples/protocols'), folder, { recursive: true });
      writeFileSync(
        join(folder, 'stuck.ts'),
        "import { defineProtocol, step } from '@praxis/protocol';\nconst spin = step('spin', () => { for (;;) {} });\nexport default defineProtocol({ name: 'stuck', version: '1.0.0', async run() { spin(); } });\n",
      );
      const src = await t.http.post('/api/v1/protocols/sources').set(admin).send({ kind: 'filesystem', path: folder }).expect(201);
      const sync = await t.http.post(`/api/v1/protocols/sources/${src.body.id}/sync`).set(admin).expect(200);
      expect(sync.body.errors).toEqual([]);
      expect(sync.body.revision).toMatch(/^[0-9a-f]{64}$/);
      defs = Object.fromEntries(sync.body.added.map((d: { name: string; id: string }) => [d.name, d.id]));
      expect(Object.keys(defs).sort()).toEqual(['nested_steps', 'plate_replication', 'serial_dilution', 'stuck']);
    });

    it('dry-runs plate_replication on the demo layout: 96 steps, 384 commands, volumes moved', async () => {
      const res = await t.http
        .post(`/api/v1/protocols/definitions/${defs.plate_replication}/simulate`)
        .set(operator)
        .send({ parameters: { volume: 20 }, liquids: { source_plate: 100 } })
        .expect(200);
      expect(res.body.violations).toEqual([]);
      expect(res.body).toMatchObject({ passed: true, commandCount: 384, assets: { lh: 'lh', tips: 'tips_1000_1', source: 'source_plate', destination: 'destination_plate' } });
      expect(res.body.steps.filter((s: { name: string }) => s.name === 'transfer_well')).toHaveLength(96);
      expect(res.body.steps[0]).toMatchObject({ seq: 1, parentSeq: null, name: 'plate_replication', status: 'completed' });
      expect(res.body.steps[1]).toMatchObject({ seq: 2, parentSeq: 1, name: 'transfer_well', commandCount: 4 });
      expect(res.body.estimatedDurationS).toBeGreaterThan(0);
      const deck = res.body.finalState.deck as Record<string, { volume?: number; liquids?: unknown }>;
      expect(JSON.stringify(deck.source_plate_A1)).toContain('80');
      expect(JSON.stringify(deck.destination_plate_H12)).toContain('20');
    });

    it('starts from the deck state of the workcell using the layout (the demo source plate is filled)', async () => {
      const res = await t.http.post(`/api/v1/protocols/definitions/${defs.plate_replication}/simulate`).set(operator).send({}).expect(200);
      expect(res.body).toMatchObject({ passed: true, commandCount: 384 });
      expect(JSON.stringify(res.body.finalState.deck.source_plate_A1)).toContain('250');
    });

    it('reports the first violation with step, command, resource and channel (no liquid loaded)', async () => {
      const res = await t.http.post(`/api/v1/protocols/definitions/${defs.plate_replication}/simulate`).set(operator).send({ liquids: { source_plate: 0 } }).expect(200);
      expect(res.body.passed).toBe(false);
      expect(res.body.violations).toEqual([
        {
          step: 'transfer_well',
          stepSeq: 2,
          command: 'lh.aspirate',
          error: { name: 'TooLittleLiquidError', message: expect.stringContaining('source_plate_A1') },
          resource: 'source_plate_A1',
          channel: 0,
        },
      ]);
      expect(res.body.commandCount).toBe(1);
    });

    it('answers prompts with defaults, and runs nested steps three deep', async () => {
      const dil = await t.http.post(`/api/v1/protocols/definitions/${defs.serial_dilution}/simulate`).set(operator).send({ liquids: { source_plate: 300, destination_plate: 100 } }).expect(200);
      expect(dil.body.violations).toEqual([]);
      expect(dil.body.inputs).toEqual([{ prompt: expect.stringContaining('diluent'), answer: expect.objectContaining({ confirmed: true }) }]);
      expect(dil.body.outputs.length).toBeGreaterThan(0);
      const nested = await t.http.post(`/api/v1/protocols/definitions/${defs.nested_steps}/simulate`).set(operator).send({ liquids: { source_plate: 300 } }).expect(200);
      expect(nested.body.violations).toEqual([]);
      const bySeq = new Map(nested.body.steps.map((s: { seq: number; parentSeq: number | null }) => [s.seq, s]));
      const depth = (s: { parentSeq: number | null }): number => (s.parentSeq === null ? 0 : 1 + depth(bySeq.get(s.parentSeq) as { parentSeq: number | null }));
      expect(Math.max(...nested.body.steps.map(depth))).toBeGreaterThanOrEqual(3);
    });

    it('uses the assets and deck layout given, and names bad ones', async () => {
      const layouts = await t.http.get('/api/v1/deck-layouts?limit=100').set(viewer).expect(200);
      const layoutId = layouts.body.items.find((l: { name: string }) => l.name === 'demo_layout').id;
      const resources = await t.http.get('/api/v1/resources?limit=100').set(viewer).expect(200);
      const byName = Object.fromEntries(resources.body.items.map((r: { name: string; id: string }) => [r.name, r.id]));
      const machines = await t.http.get('/api/v1/machines?limit=100').set(viewer).expect(200);
      const starlet = machines.body.items.find((m: { name: string }) => m.name === 'starlet').id;
      const res = await t.http
        .post(`/api/v1/protocols/definitions/${defs.plate_replication}/simulate`)
        .set(operator)
        .send({ deckLayoutId: layoutId, assets: { lh: starlet, tips: byName.tips_1000_2, source: byName.destination_plate, destination: byName.source_plate }, liquids: { destination_plate: 60 } })
        .expect(200);
      expect(res.body).toMatchObject({ passed: true, assets: { lh: 'starlet', tips: 'tips_1000_2', source: 'destination_plate', destination: 'source_plate' } });

      const bad = await t.http
        .post(`/api/v1/protocols/definitions/${defs.plate_replication}/simulate`)
        .set(operator)
        .send({ parameters: { volume: 1000 }, assets: { tips: byName.source_plate, nope: starlet, lh: 'x' }, deckLayoutId: '0190a000-0000-7000-8000-000000000000', liquids: { source_plate: -1 } })
        .expect(400);
      expect(fields(bad).sort()).toEqual(['assets.lh', 'assets.nope', 'assets.tips', 'deckLayoutId', 'liquids.source_plate', 'parameters.volume']);
      const wrongType = await t.http.post(`/api/v1/protocols/definitions/${defs.plate_replication}/simulate`).set(operator).send({ parameters: { volume: 'lots' } }).expect(400);
      expect(fields(wrongType)).toEqual(['parameters.volume']);
      const notOnDeck = await t.http.post(`/api/v1/protocols/definitions/${defs.plate_replication}/simulate`).set(operator).send({ liquids: { nothing_here: 5 } }).expect(400);
      expect(fields(notOnDeck)).toEqual(['liquids.nothing_here']);
      await t.http.post(`/api/v1/protocols/definitions/${defs.plate_replication}/simulate`).set(viewer).send({}).expect(403);
      await t.http.post('/api/v1/protocols/definitions/0190a000-0000-7000-8000-000000000000/simulate').set(operator).send({}).expect(404);
    });

    it('stops a protocol stuck in a loop at the timeout and reports the step', async () => {
      const res = await t.http.post(`/api/v1/protocols/definitions/${defs.stuck}/simulate`).set(operator).send({ timeoutMs: 1000 }).expect(200);
      expect(res.body).toMatchObject({ passed: false, violations: [{ step: 'spin', error: { name: 'SimulationTimeout' } }] });
    });
  });
});
