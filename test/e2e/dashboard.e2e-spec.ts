import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DemoSeedService } from '@praxis/discovery';
import { ProtocolSourcesService } from '@praxis/protocols';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/app.js';
import { Role } from '../support/hardware.js';
import { startWorker, type WorkerProcess } from '../support/worker.js';

const ARTIFACTS = resolve('test-artifacts', 'dashboard');
/** Generous: the browser waits for what the page shows, never for a time. */
const WAIT = { timeout: 60_000 };

/**
 * The dashboard in headless Chromium against the API (in-process, listening on a port) and the
 * built worker, on the demo workcell: what an operator does from the page, checked on what the
 * page shows (the deck drawing's data-has-tip / data-volume attributes, the status badge).
 */
describe('dashboard (headless Chromium)', () => {
  let t: TestApp;
  let worker: WorkerProcess;
  let browser: Browser;
  let context: BrowserContext;
  let base: string;
  const pageErrors: string[] = [];
  const refused: string[] = [];
  const consoleLines: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    const admin = { Authorization: `Bearer ${await t.login()}` };
    await t.createUser('olga', Role.Operator, 'olga-password');
    await t.createUser('vera', Role.Viewer, 'vera-password');
    await t.http.post('/api/v1/discovery/sync').set(admin).expect(200);
    await t.app.get(DemoSeedService).seed();
    const synced = await t.app.get(ProtocolSourcesService).ensureFolderSource('examples', resolve('examples/protocols'));
    expect(synced.report.errors).toEqual([]);
    // The simulated STARlet takes its modelled time, 10x faster: the run lasts long enough to be
    // watched and paused from the page (a few seconds), as an operator would.
    const starlet = (await t.http.get('/api/v1/machines?limit=100').set(admin).expect(200)).body.items.find((m: { name: string }) => m.name === 'starlet');
    await t.http
      .patch(`/api/v1/machines/${starlet.id}`)
      .set(admin)
      .send({ connectionConfig: { ...starlet.connectionConfig, timeModel: true, realTimeSpeed: 10 } })
      .expect(200);
    worker = await startWorker(t.config.database.url, t.config.redis.url, t.redis);
    // No background networking: on a machine without internet, Chromium's own calls home are refused
    // (many at a time) and only slow it down.
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await worker?.stop();
    await t?.close();
  });

  async function open(): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      consoleLines.push(`${msg.type()}: ${msg.text()}`);
      // A CSP refusal is reported on the console; the page must need nothing the policy refuses.
      if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) refused.push(msg.text());
    });
    await page.goto(`${base}/`);
    return page;
  }

  /** Runs `fn` on a fresh page; on failure keeps a screenshot and adds the page's console to the error. */
  async function onPage(name: string, fn: (page: Page) => Promise<void>): Promise<void> {
    const page = await open();
    try {
      await fn(page);
    } catch (err) {
      await page.screenshot({ path: join(ARTIFACTS, `${name}-failure.png`), fullPage: true }).catch(() => undefined);
      (err as Error).message += `\npage errors: ${JSON.stringify(pageErrors)}\nconsole:\n${consoleLines.slice(-40).join('\n')}\nworker:\n${worker.output().slice(-3000)}`;
      throw err;
    } finally {
      await page.close();
    }
  }

  /** Cancels a run; when refused, the error names the run's status and error (not just the 409). */
  async function cancel(runId: string, auth: Record<string, string>, viaActions?: { action: 'cancel' }): Promise<void> {
    const res = await t.http.post(viaActions ? `/api/v1/runs/${runId}/actions` : `/api/v1/runs/${runId}/cancel`).set(auth).send(viaActions ?? {});
    if (res.status === 202) return;
    const run = (await t.http.get(`/api/v1/runs/${runId}`).set(auth)).body;
    const transitions = (await t.http.get(`/api/v1/runs/${runId}/transitions`).set(auth)).body;
    throw new Error(`cancel answered ${res.status} ${JSON.stringify(res.body)}; run ${JSON.stringify({ status: run.status, error: run.error })}; transitions ${JSON.stringify(transitions)}`);
  }

  async function logIn(page: Page, username: string, password: string): Promise<void> {
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('a[data-workcell="demo"]', WAIT);
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const status = (page: Page, s: string) => page.waitForSelector(`#run-status [data-status="${s}"]`, WAIT);
  const resource = (name: string) => `svg.deck [data-resource="${name}"]`;

  it('logs in, starts serial_dilution on the demo, watches the deck fill, pauses and resumes, answers the prompt, sees it complete', () =>
    onPage('operator', async (page) => {
      await page.waitForSelector('#login', WAIT);
      await page.fill('#username', 'olga');
      await page.fill('#password', 'wrong-password');
      await page.click('#login button[type=submit]');
      await page.waitForSelector('#login-error:has-text("Wrong username or password")', WAIT);
      await shot(page, '01-login');
      await logIn(page, 'olga', 'olga-password');
      expect(await page.textContent('#who')).toContain('olga (operator)');
      // The token is the tab's: in sessionStorage, not in a cookie.
      expect(await page.evaluate('sessionStorage.getItem("praxis.token")')).toMatch(/^ey/);

      // The workcell: its machines, and the deck as the demo seeded it (full tip racks, 300 µL in the source plate).
      await page.click('a[data-workcell="demo"]');
      await page.waitForSelector(`${resource('tips_1000_1_A1')}[data-has-tip="true"]`, WAIT);
      await page.waitForSelector(`${resource('source_plate_A2')}[data-volume="300"]`, WAIT);
      await page.waitForSelector(`${resource('destination_plate_A1')}[data-volume="0"]`, WAIT);
      await page.waitForSelector('#machines [data-machine="starlet"] [data-status="available"]', WAIT);
      expect(await page.locator('svg.deck [data-has-tip="true"]').count()).toBe(192);

      // Start serial_dilution from the form built from its parameters' schema (defaults prefilled).
      await page.selectOption('#protocol', { label: 'serial_dilution 1.0.0' });
      expect(await page.inputValue('#param-steps')).toBe('8');
      expect(await page.inputValue('#param-transferVolume')).toBe('50');
      expect(await page.locator('#param-row option:checked').textContent()).toBe('A');
      await shot(page, '02-workcell');
      await page.click('#start-run');
      await page.waitForURL(/#\/runs\/[0-9a-f-]{36}$/, WAIT);
      const runId = page.url().split('/').pop()!;

      // The prompt, as a form of its fields with their defaults.
      await status(page, 'awaiting_input');
      await page.waitForSelector('#input-form', WAIT);
      expect(await page.textContent('.prompt-text')).toMatch(/^Confirm the diluent is loaded in row A of \w+ \(50 µL per well\) and the stock in \w+_A1$/);
      expect(await page.isChecked('#field-confirmed')).toBe(true);
      expect(await page.inputValue('#field-stockConcentration')).toBe('100');
      expect(await page.inputValue('#field-stockVolume')).toBe('100');
      expect(await page.inputValue('#field-unit')).toBe('µM');
      // The step tree so far: the protocol's root step, waiting.
      await page.waitForSelector('#steps > li[data-status="running"] .step-name:has-text("serial_dilution")', WAIT);

      // The server's 400 names the field; the form shows it beside the input, and the run still waits.
      await page.fill('#field-stockVolume', '10');
      await page.click('#answer');
      await page.waitForSelector('#field-stockVolume-error:not(:empty)', WAIT);
      expect(await page.textContent('#field-stockVolume-error')).toMatch(/stockVolume/);
      await shot(page, '03-prompt');
      expect((await t.http.get(`/api/v1/runs/${runId}`).set({ Authorization: `Bearer ${await t.login()}` })).body.status).toBe('awaiting_input');

      const run = (await t.http.get(`/api/v1/runs/${runId}`).set({ Authorization: `Bearer ${await t.login()}` })).body;
      const plate = run.assets.plate.name as string;
      const diluent = run.assets.diluent.name as string;
      const tips = run.assets.tips.name as string;
      await page.fill('#field-stockVolume', '120');
      await page.fill('#field-stockConcentration', '200');
      await page.click('#answer');

      // The deck changes as the run goes: the liquids the operator confirmed appear, tips leave the rack.
      await status(page, 'running');
      await page.waitForSelector('#prompt', { state: 'hidden', ...WAIT });
      await page.waitForSelector(`${resource(`${plate}_A1`)}:not([data-volume="0"])`, WAIT);
      await page.waitForSelector(`${resource(`${tips}_A1`)}[data-has-tip="false"]`, WAIT);

      // Pause while it pipettes: the badge says paused (the worker holds the next command), then resume.
      await page.click('#pause');
      await status(page, 'paused');
      await shot(page, '04-paused');
      expect(await page.isEnabled('#resume')).toBe(true);
      expect(await page.isDisabled('#pause')).toBe(true);
      await page.click('#resume');
      await page.waitForSelector('#run-status [data-status="running"], #run-status [data-status="completed"]', WAIT);

      await status(page, 'completed');
      // Wells filled along row A: the stock (120 µL) less one transfer, 50 µL in the middle, 100 in the last.
      await page.waitForSelector(`${resource(`${plate}_A8`)}[data-volume="100"]`, WAIT);
      expect(await page.getAttribute(resource(`${plate}_A1`), 'data-volume')).toBe('70');
      for (const c of [2, 3, 4, 5, 6, 7]) expect(await page.getAttribute(resource(`${plate}_A${c}`), 'data-volume')).toBe('50');
      expect(await page.getAttribute(resource(`${plate}_A9`), 'data-volume')).toBe('0');
      // The diluent wells held 300 µL (more than needed, kept), 50 µL each went out.
      expect(await page.getAttribute(resource(`${diluent}_A2`), 'data-volume')).toBe('250');
      // Each tip went back to its spot after use (the protocol drops them there).
      expect(await page.locator(`svg.deck [data-resource^="${tips}_"][data-has-tip="true"]`).count()).toBe(96);
      // What the page built from the run's events: the step tree, the command log, the outputs.
      expect(await page.locator('#steps > li > ul > li').count()).toBe(8);
      expect(await page.locator('#steps li[data-status="completed"]').count()).toBe(9);
      expect(await page.locator('#commands tbody tr').count()).toBe(45);
      expect(await page.textContent('#commands tbody tr:first-child')).toContain('recordLiquids');
      await page.waitForSelector(`#outputs td:has-text("concentration_${plate}_A8")`, WAIT);
      expect(await page.textContent(`#outputs tr:has(td:text-is("concentration_${plate}_A2"))`)).toContain('100');
      expect(await page.locator('#pause').count()).toBe(0);
      await shot(page, '05-completed');

      // The transitions the page showed, as the API recorded them.
      const transitions = (await t.http.get(`/api/v1/runs/${runId}/transitions`).set({ Authorization: `Bearer ${await t.login()}` }).expect(200)).body.map((x: { to: string }) => x.to);
      expect(transitions).toEqual(['queued', 'preparing', 'running', 'awaiting_input', 'running', 'pausing', 'paused', 'running', 'completed']);
      // The deck the worker saved is the one drawn.
      const deckId = await page.getAttribute('.deck-drawing', 'data-deck-id');
      const saved = (await t.http.get(`/api/v1/decks/${deckId}/state`).set({ Authorization: `Bearer ${await t.login()}` }).expect(200)).body;
      expect(saved.resources[`${plate}_A1`]).toEqual({ volume: 70 });
      expect(saved.resources[`${tips}_A1`]).toEqual({ hasTip: true });

      // Back on the workcell page: the run listed as completed, the deck as it was left.
      await page.click('nav.crumbs a[href^="#/workcells/"]');
      await page.waitForSelector(`#runs tr[data-run="${runId}"] [data-status="completed"]`, WAIT);
      await page.waitForSelector(`${resource(`${plate}_A1`)}[data-volume="70"]`, WAIT);
      await shot(page, '06-workcell-after');

      // The home page: the workcells, and the recent runs of all of them with their status.
      await page.click('nav.crumbs a[href="#/"]');
      await page.waitForSelector(`#recent-runs tr[data-run="${runId}"] [data-status="completed"]`, WAIT);
      expect(await page.textContent(`#recent-runs tr[data-run="${runId}"]`)).toContain('demo');

      // Log out: the token is gone and the login form is back.
      await page.click('#logout');
      await page.waitForSelector('#login', WAIT);
      expect(await page.evaluate('sessionStorage.getItem("praxis.token")')).toBeNull();
      expect(pageErrors).toEqual([]);
      expect(refused).toEqual([]);
    }), 180_000);

  it('a viewer sees the run and the deck but no control, no start form and no answer button', () =>
    onPage('viewer', async (page) => {
      const admin = { Authorization: `Bearer ${await t.login()}` };
      const def = (await t.http.get('/api/v1/protocols/definitions?latest=true&limit=100').set(admin).expect(200)).body.items.find((d: { name: string }) => d.name === 'serial_dilution');
      const workcell = (await t.http.get('/api/v1/workcells?limit=100').set(admin).expect(200)).body.items.find((w: { name: string }) => w.name === 'demo');
      const started = (await t.http.post('/api/v1/runs').set(admin).send({ protocolId: def.id, workcellId: workcell.id, parameters: { steps: 2 } }).expect(201)).body;

      await logIn(page, 'vera', 'vera-password');
      await page.goto(`${base}/#/runs/${started.id}`);
      await status(page, 'awaiting_input');
      await page.waitForSelector('#input-form', WAIT);
      await page.waitForSelector('svg.deck [data-has-tip]', WAIT);
      expect(await page.locator('#pause, #resume, #cancel, #answer').count()).toBe(0);
      expect(await page.isDisabled('#field-confirmed')).toBe(true);
      await shot(page, '07-viewer');
      await page.click('nav.crumbs a[href^="#/workcells/"]');
      await page.waitForSelector(`#runs tr[data-run="${started.id}"]`, WAIT);
      expect(await page.locator('#start-form').count()).toBe(0);

      // Cancelled by an operator elsewhere: the viewer's page follows.
      await cancel(started.id, admin, { action: 'cancel' });
      await page.waitForSelector(`#runs tr[data-run="${started.id}"] [data-status="cancelled"]`, WAIT);

      // The home page lists a run started elsewhere as soon as it is, and follows it.
      await page.click('nav.crumbs a[href="#/"]');
      await page.waitForSelector(`#recent-runs tr[data-run="${started.id}"] [data-status="cancelled"]`, WAIT);
      const another = (await t.http.post('/api/v1/runs').set(admin).send({ protocolId: def.id, workcellId: workcell.id, parameters: { steps: 2 } }).expect(201)).body;
      await page.waitForSelector(`#recent-runs tr[data-run="${another.id}"]`, WAIT);
      await cancel(another.id, admin);
      await page.waitForSelector(`#recent-runs tr[data-run="${another.id}"] [data-status="cancelled"]`, WAIT);
      await shot(page, '08-home');
      expect(pageErrors).toEqual([]);
      expect(refused).toEqual([]);
    }), 120_000);
});
