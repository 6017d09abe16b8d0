import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { DemoSeedService } from '@praxis/discovery';
import { NotificationDispatcher } from '@praxis/notifications';
import { ProtocolSourcesService } from '@praxis/protocols';
import { SMTPServer } from 'smtp-server';
import { AppModule } from '../../apps/api/src/app.module.js';
import { configureApp } from '../../apps/api/src/configure-app.js';
import { createTestApp, LogCapture, type TestApp } from '../support/app.js';
import { Role } from '../support/hardware.js';
import { freePort } from '../support/net.js';
import { eventually, runPolling, startWorker, type WorkerProcess } from '../support/worker.js';

type Auth = { Authorization: string };

interface Received {
  from: string;
  to: string[];
  subject: string;
  body: string;
  raw: string;
}

/** Header value and decoded text body of a single-part message, as nodemailer writes one. */
function parseMessage(raw: string): { headers: Record<string, string>; body: string } {
  const split = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = raw.slice(split).trim();
  const encoding = headers['content-transfer-encoding']?.toLowerCase();
  if (encoding === 'quoted-printable') {
    body = Buffer.from(
      body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  } else if (encoding === 'base64') {
    body = Buffer.from(body, 'base64').toString('utf8');
  }
  return { headers, body: body.replace(/\r\n/g, '\n') };
}

/** A real SMTP server on a free port that keeps what it receives and can refuse the next N messages to an address (451). */
class TestSmtp {
  readonly received: Received[] = [];
  /** Recipient → messages to refuse before accepting. */
  readonly refuse = new Map<string, number>();
  readonly refusals = new Map<string, number>();
  readonly server: SMTPServer;
  port = 0;

  constructor() {
    this.server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const busy = session.envelope.rcptTo.map((r) => r.address).find((a) => (this.refuse.get(a) ?? 0) > 0);
          if (busy) {
            this.refuse.set(busy, this.refuse.get(busy)! - 1);
            this.refusals.set(busy, (this.refusals.get(busy) ?? 0) + 1);
            return callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          const { headers, body } = parseMessage(raw);
          this.received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: headers.subject ?? '',
            body,
            raw,
          });
          callback();
        });
      },
    });
  }

  async start(): Promise<void> {
    this.port = await freePort();
    await new Promise<void>((res, rej) => {
      this.server.once('error', rej);
      this.server.listen(this.port, '127.0.0.1', () => res());
    });
  }

  stop(): Promise<void> {
    return new Promise((res) => this.server.close(() => res()));
  }

  mailsFor(runId: string): Received[] {
    return this.received.filter((m) => m.body.includes(runId));
  }
}

/** Example protocols and the demo workcell, as `npm start` seeds them. */
async function seedDemo(t: TestApp, admin: Auth): Promise<Record<string, string>> {
  await t.http.post('/api/v1/discovery/sync').set(admin).expect(200);
  await t.app.get(DemoSeedService).seed();
  const defs: Record<string, string> = {};
  for (const d of (await t.app.get(ProtocolSourcesService).ensureFolderSource('examples', resolve('examples/protocols'))).report.added) defs[d.name] = d.id;
  return defs;
}

const fields = (res: { body: { error: { details: { fields: string[] } } } }) => res.body.error.details.fields;

describe('notifications: email on run events through a real SMTP server', () => {
  let t: TestApp;
  /** A second API instance on the same database: its dispatcher races the first one's throughout. */
  let second: INestApplication;
  let smtp: TestSmtp;
  let worker: WorkerProcess;
  let admin: Auth;
  let operator: Auth;
  let viewer: Auth;
  let defs: Record<string, string>;
  let workcellId: string;
  let dilutionsRule: string;

  const start = async (name: string, body: Record<string, unknown> = {}) => {
    const res = await t.http.post('/api/v1/runs').set(operator).send({ protocolId: defs[name], ...body });
    if (res.status !== 201) throw new Error(`start ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; status: string };
  };
  const { until } = runPolling(() => t.http, () => viewer);
  const deliveries = async (query: string) => (await t.http.get(`/api/v1/notifications/deliveries?${query}`).set(viewer).expect(200)).body;
  const rule = async (body: Record<string, unknown>) => (await t.http.post('/api/v1/notifications/rules').set(operator).send(body).expect(201)).body as { id: string };

  beforeAll(async () => {
    smtp = new TestSmtp();
    await smtp.start();
    t = await createTestApp({
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      MAIL_FROM: 'Praxis <praxis@lab.example>',
      MAIL_MAX_ATTEMPTS: '4',
      MAIL_RETRY_BASE_MS: '200',
      MAIL_RETRY_MAX_MS: '1000',
      NOTIFICATIONS_INTERVAL_MS: '100',
      RUN_RECOVERY_INTERVAL_MS: '300',
      PRAXIS_PUBLIC_URL: 'https://praxis.lab.example/',
    });
    admin = { Authorization: `Bearer ${await t.login()}` };
    operator = { Authorization: `Bearer ${(await t.createUser('opal', Role.Operator)).token}` };
    viewer = { Authorization: `Bearer ${(await t.createUser('vic', Role.Viewer)).token}` };
    defs = await seedDemo(t, admin);
    workcellId = (await t.http.get('/api/v1/workcells?limit=1').set(viewer).expect(200)).body.items[0].id;
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(t.config, { logStream: new LogCapture() })] }).compile();
    second = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true });
    configureApp(second as NestExpressApplication, t.config);
    await second.init();
    worker = await startWorker(t.config.database.url, t.config.redis.url, t.redis);
  }, 60000);
  afterAll(async () => {
    await worker?.stop();
    await second?.close();
    await t?.close();
    await smtp?.stop();
  });

  it('rules: operators write, viewers read; bad input is a 400 naming the field', async () => {
    const body = { name: 'dilutions', events: ['awaiting_input', 'completed', 'failed'], recipients: ['Lab-Oncall@Example.org', 'ops@lab.example'], protocolName: 'serial_dilution' };
    await t.http.post('/api/v1/notifications/rules').set(viewer).send(body).expect(403);
    const created = await t.http.post('/api/v1/notifications/rules').set(operator).send(body).expect(201);
    dilutionsRule = created.body.id;
    expect(created.body).toMatchObject({ name: 'dilutions', recipients: ['lab-oncall@example.org', 'ops@lab.example'], protocolName: 'serial_dilution', workcellId: null, enabled: true, createdBy: 'user:opal' });
    // Another rule that must not match the runs below (another protocol), and one scoped to the demo workcell.
    await rule({ name: 'replications', events: ['completed', 'failed'], recipients: ['replication@lab.example'], protocolName: 'plate_replication' });
    await rule({ name: 'demo_cell_failures', events: ['failed', 'interrupted'], recipients: ['cell@lab.example'], workcellId });

    const list = await t.http.get('/api/v1/notifications/rules?event=awaiting_input').set(viewer).expect(200);
    expect(list.body).toMatchObject({ total: 1, limit: 50, offset: 0, items: [{ id: created.body.id }] });
    expect((await t.http.get(`/api/v1/notifications/rules?workcellId=${workcellId}`).set(viewer).expect(200)).body.items.map((r: { name: string }) => r.name)).toEqual(['demo_cell_failures']);
    await t.http.get(`/api/v1/notifications/rules/${created.body.id}`).set(viewer).expect(200);

    const bad = async (b: Record<string, unknown>) => fields(await t.http.post('/api/v1/notifications/rules').set(operator).send(b).expect(400));
    expect(await bad({ ...body, name: 'x1', events: ['exploded'] })).toEqual(['events']);
    expect(await bad({ ...body, name: 'x2', events: [] })).toEqual(['events']);
    expect(await bad({ ...body, name: 'x3', recipients: ['not-an-address'] })).toEqual(['recipients']);
    expect(await bad({ ...body, name: 'x4', recipients: 'ops@lab.example' })).toEqual(['recipients']);
    expect(await bad({ ...body, name: 'x5', workcellId: 'nope' })).toEqual(['workcellId']);
    expect(await bad({ ...body, name: 'x6', workcellId: '0190b0f0-0000-7000-8000-000000000000' })).toEqual(['workcellId']);
    expect(await bad({ ...body, name: 'x7', protocolName: null })).toEqual(['protocolName']);
    expect(await bad({ ...body, name: 'x8', smtp: 'smtp://elsewhere' })).toEqual(['smtp']);
    const { name: _n, ...nameless } = body;
    expect(await bad(nameless)).toEqual(['name']);
    expect((await t.http.post('/api/v1/notifications/rules').set(operator).send(body).expect(409)).body.error.code).toBe('ALREADY_EXISTS');
    expect(fields(await t.http.get('/api/v1/notifications/rules?event=exploded').set(viewer).expect(400))).toEqual(['event']);
    expect(fields(await t.http.get('/api/v1/notifications/deliveries?status=lost').set(viewer).expect(400))).toEqual(['status']);
    expect(fields(await t.http.get('/api/v1/notifications/deliveries?property.x=1').set(viewer).expect(400))).toEqual(['property']);

    // Update (null clears a filter), delete; viewers may not.
    const temp = await rule({ name: 'temporary', events: ['cancelled'], recipients: ['t@lab.example'], workcellId });
    await t.http.patch(`/api/v1/notifications/rules/${temp.id}`).set(viewer).send({ enabled: false }).expect(403);
    const patched = await t.http.patch(`/api/v1/notifications/rules/${temp.id}`).set(operator).send({ workcellId: null, enabled: false, events: ['cancelled', 'failed'] }).expect(200);
    expect(patched.body).toMatchObject({ workcellId: null, enabled: false, events: ['cancelled', 'failed'] });
    expect(fields(await t.http.patch(`/api/v1/notifications/rules/${temp.id}`).set(operator).send({ recipients: [] }).expect(400))).toEqual(['recipients']);
    await t.http.delete(`/api/v1/notifications/rules/${temp.id}`).set(viewer).expect(403);
    await t.http.delete(`/api/v1/notifications/rules/${temp.id}`).set(admin).expect(204);
    await t.http.get(`/api/v1/notifications/rules/${temp.id}`).set(viewer).expect(404);
    await t.http.get('/api/v1/notifications/rules').expect(401);
  });

  it('mails the prompt when a run waits for input, then how it ended; each event once per rule', async () => {
    const run = await start('serial_dilution', { parameters: { steps: 4, transferVolume: 10 } });
    expect((await until(run.id, ['awaiting_input', 'failed', 'completed'])).status).toBe('awaiting_input');
    const asked = await eventually(async () => smtp.mailsFor(run.id).find((m) => m.subject.includes('waiting for input')), 'the input email');
    expect(asked.to.sort()).toEqual(['lab-oncall@example.org', 'ops@lab.example']);
    expect(asked.from).toBe('praxis@lab.example');
    expect(asked.subject).toBe(`[Praxis] serial_dilution is waiting for input on demo (run ${run.id.slice(-8)})`);
    expect(asked.body).toContain(`Run id:   ${run.id}`);
    expect(asked.body).toContain('Prompt: Confirm the diluent is loaded');
    expect(asked.body).toContain(`https://praxis.lab.example/api/v1/runs/${run.id}/input`);
    expect(asked.body).toContain(`Workcell: demo (${workcellId})`);

    await t.http.post(`/api/v1/runs/${run.id}/input`).set(operator).send({ values: { confirmed: true } }).expect(202);
    // The answer records the stock and diluent, so the run completes; either end would be mailed.
    const ended = await until(run.id, ['completed', 'failed']);
    const done = await eventually(async () => smtp.mailsFor(run.id).find((m) => m.subject.includes(ended.status)), 'the email of the end');
    expect(done.body).toContain('serial_dilution 1.0.0');
    if (ended.status === 'failed') expect(done.body).toContain(`Error: ${ended.error.name}: ${ended.error.message}`);

    const sent = await eventually(async () => {
      const page = await deliveries(`runId=${run.id}&ruleId=${dilutionsRule}&sort=createdAt`);
      return page.total === 2 && page.items.every((d: { status: string }) => d.status === 'sent') ? page : undefined;
    }, 'both deliveries sent');
    expect(sent.items.map((d: { event: string; attempts: number; lastError: string | null }) => [d.event, d.attempts, d.lastError])).toEqual([
      ['awaiting_input', 1, null],
      [ended.status, 1, null],
    ]);
    expect(sent.items[0]).toMatchObject({ recipients: ['lab-oncall@example.org', 'ops@lab.example'], subject: asked.subject, messageId: expect.any(String), sentAt: expect.any(String) });

    // Handled events are never notified again, however often and by however many instances the dispatcher looks.
    for (let i = 0; i < 3; i++) {
      const reports = await Promise.all([t.app.get(NotificationDispatcher).dispatch(), second.get(NotificationDispatcher).dispatch()]);
      expect(reports).toEqual([{ events: 0, deliveries: 0 }, { events: 0, deliveries: 0 }]);
    }
    // (a failed end also matched the workcell rule: one more delivery, one more email)
    const expected = ended.status === 'failed' ? 3 : 2;
    expect((await deliveries(`runId=${run.id}`)).total).toBe(expected);
    expect(smtp.mailsFor(run.id)).toHaveLength(expected);
    // The rule for another protocol sent nothing; deliveries filter by rule and event.
    const rules = (await t.http.get('/api/v1/notifications/rules?protocolName=plate_replication').set(viewer).expect(200)).body.items;
    expect((await deliveries(`ruleId=${rules[0].id}`)).total).toBe(0);
    expect((await deliveries(`runId=${run.id}&ruleId=${dilutionsRule}&event=${ended.status}`)).total).toBe(1);
  }, 60000);

  it('a failed run mails its error to every matching rule (protocol rule and workcell rule)', async () => {
    const run = await start('serial_dilution', { parameters: { steps: 3, transferVolume: 10 } });
    await until(run.id, ['awaiting_input']);
    await t.http.post(`/api/v1/runs/${run.id}/input`).set(operator).send({ values: { confirmed: false } }).expect(202);
    await until(run.id, ['failed']);
    const mails = await eventually(async () => {
      const m = smtp.mailsFor(run.id).filter((x) => x.subject.includes('failed'));
      return m.length === 2 ? m : undefined;
    }, 'two failure emails');
    expect(mails.map((m) => m.to.join(',')).sort()).toEqual(['cell@lab.example', 'lab-oncall@example.org,ops@lab.example']);
    for (const m of mails) expect(m.body).toContain('did not confirm that the diluent and the stock are loaded');
  });

  it('an SMTP server that refuses, then accepts: the delivery is retried with backoff and ends sent, attempts recorded', async () => {
    await rule({ name: 'nested', events: ['completed', 'failed'], recipients: ['nested@lab.example'], protocolName: 'nested_steps' });
    smtp.refuse.set('nested@lab.example', 2);
    const run = await start('nested_steps', { parameters: { columns: 1 } });
    const ended = await until(run.id, ['completed', 'failed']);
    const delivery = await eventually(async () => {
      const page = await deliveries(`runId=${run.id}&status=sent`);
      return page.items.find((d: { recipients: string[] }) => d.recipients[0] === 'nested@lab.example');
    }, 'the retried delivery to be sent', 20000);
    expect(smtp.refusals.get('nested@lab.example')).toBe(2);
    expect(delivery).toMatchObject({ event: ended.status, status: 'sent', attempts: 3, nextAttemptAt: null });
    expect(delivery.attemptErrors).toHaveLength(2);
    expect(delivery.attemptErrors[0].error).toMatch(/451/);
    expect(delivery.lastError).toMatch(/451/);
    // Backoff: at least 200 ms (MAIL_RETRY_BASE_MS) before the second attempt, then at least twice that.
    const [first, second] = delivery.attemptErrors.map((e: { at: string }) => new Date(e.at).getTime());
    expect(second - first).toBeGreaterThanOrEqual(200);
    expect(new Date(delivery.sentAt).getTime() - second).toBeGreaterThanOrEqual(400);
    expect(smtp.received.filter((m) => m.to.includes('nested@lab.example') && m.body.includes(run.id))).toHaveLength(1);
  });

  it('gives up after MAIL_MAX_ATTEMPTS (failed, with every error), and the run never waits on mail', async () => {
    smtp.refuse.set('nested@lab.example', 1000);
    try {
      const run = await start('nested_steps', { parameters: { columns: 1 } });
      // The run ends while its email is still being refused.
      const ended = await until(run.id, ['completed', 'failed']);
      const failed = await eventually(async () => {
        const page = await deliveries(`runId=${run.id}&status=failed`);
        return page.items.find((d: { recipients: string[] }) => d.recipients[0] === 'nested@lab.example');
      }, 'the delivery to be given up', 20000);
      expect(failed).toMatchObject({ event: ended.status, attempts: 4, nextAttemptAt: null, sentAt: null });
      expect(failed.attemptErrors).toHaveLength(4);
      expect(new Date(failed.attemptErrors[0].at).getTime()).toBeGreaterThanOrEqual(new Date(ended.endedAt).getTime());
    } finally {
      smtp.refuse.delete('nested@lab.example');
    }
  });

  // Last: it stops the worker.
  it('a run whose worker dies is interrupted by recovery, and that is mailed too', async () => {
    const run = await start('serial_dilution', { parameters: { steps: 2, transferVolume: 10 } });
    await until(run.id, ['awaiting_input']);
    await worker.stop('SIGKILL');
    const ended = await until(run.id, ['interrupted']);
    const mail = await eventually(async () => smtp.mailsFor(run.id).find((m) => m.subject.includes('was interrupted')), 'the interruption email');
    expect(mail.to).toEqual(['cell@lab.example']);
    expect(mail.body).toContain(`Error: WorkerLost: ${ended.error.message}`);
  });
});

describe('notifications: with no SMTP configured, messages go to the outbox folder', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ NOTIFICATIONS_INTERVAL_MS: '100' });
  }, 60000);
  afterAll(async () => {
    await t?.close();
  });

  it('writes each message as an .eml file under <data dir>/outbox', async () => {
    const admin = { Authorization: `Bearer ${await t.login()}` };
    const operator = { Authorization: `Bearer ${(await t.createUser('otto', Role.Operator)).token}` };
    const defs = await seedDemo(t, admin);
    await t.http.post('/api/v1/notifications/rules').set(operator).send({ name: 'cancels', events: ['cancelled'], recipients: ['desk@lab.example'] }).expect(201);
    // A run scheduled for later and cancelled before it starts: a real status change, no worker needed.
    const run = (await t.http.post('/api/v1/runs').set(operator).send({ protocolId: defs.plate_replication, scheduledAt: new Date(Date.now() + 3600_000).toISOString() }).expect(201)).body;
    await t.http.post(`/api/v1/runs/${run.id}/actions`).set(operator).send({ action: 'cancel', reason: 'plates not thawed' }).expect(202);

    const outbox = join(t.config.dataDir, 'outbox');
    const file = await eventually(async () => {
      try {
        return readdirSync(outbox).find((f) => f.endsWith('.eml'));
      } catch {
        return undefined;
      }
    }, 'a message in the outbox');
    const { headers, body } = parseMessage(readFileSync(join(outbox, file), 'utf8'));
    expect(headers.to).toBe('desk@lab.example');
    expect(headers.from).toBe('praxis@localhost');
    expect(headers.subject).toBe(`[Praxis] plate_replication was cancelled on demo (run ${run.id.slice(-8)})`);
    expect(body).toContain(`Run id:   ${run.id}`);
    expect(body).toContain('Reason: plates not thawed');
    const page = (await t.http.get(`/api/v1/notifications/deliveries?runId=${run.id}`).set(operator).expect(200)).body;
    expect(page.items).toEqual([expect.objectContaining({ status: 'sent', attempts: 1, messageId: join(outbox, file) })]);
  });
});
