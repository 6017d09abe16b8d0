// API side: runs sandbox children. Each child gets a clean environment (no database URL, no
// secrets), a heap limit and a timeout; a file that hangs or crashes its child becomes one error in
// the report and a fresh child carries on with the rest.
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleDir } from './bundle-dir.js';
import type { ChildMessage, DiscoverJob, FileError, FileReport, SimulateJob, SimulationReport } from './messages.js';

export interface SandboxLimits {
  /** Per file when discovering; for the whole run when simulating. */
  timeoutMs: number;
  memoryMb: number;
}

export type SimulationOutcome =
  | { ok: true; report: SimulationReport }
  | { ok: false; kind: 'load' | 'parameters' | 'setup' | 'code-changed'; error: FileError; issues?: Array<{ field: string; message: string }> };

const childScripts = new Map<string, Promise<string>>();

/**
 * The entry file of a child process that lives beside `moduleUrl` (a module's `import.meta.url`).
 * From a build it is `<name>.js` beside that module; from TypeScript sources (tests, ts runners) it
 * is `<name>.ts` compiled once with esbuild into node_modules/.cache, next to the packages it imports.
 */
export function childEntryScript(moduleUrl: string, name: string): Promise<string> {
  const from = fileURLToPath(moduleUrl);
  const key = join(dirname(from), name);
  let script = childScripts.get(key);
  if (!script) {
    script = compileChildEntry(from, name);
    childScripts.set(key, script);
    script.catch(() => childScripts.delete(key));
  }
  return script;
}

async function compileChildEntry(from: string, name: string): Promise<string> {
  if (from.endsWith('.js')) return join(dirname(from), `${name}.js`);
  const repo = resolve(dirname(from), '../../../..');
  const entry = join(dirname(from), `${name}.ts`);
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    tsconfig: join(repo, 'tsconfig.json'),
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  const dir = join(repo, 'node_modules', '.cache', 'praxis-sandbox');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${basename(dirname(from))}-${name}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(out) || readFileSync(out, 'utf8') !== code) writeFileSync(out, code);
  return out;
}

/** The sandbox child's entry file. */
function resolveChildScript(): Promise<string> {
  return childEntryScript(import.meta.url, 'child');
}

/** The environment of a child that runs protocol code: no database URL, no secrets. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NODE_ENV: 'production', PRAXIS_SANDBOX: '1' };
  for (const k of ['PATH', 'LANG', 'TZ', 'TMPDIR', 'HOME']) if (process.env[k]) env[k] = process.env[k];
  return env;
}

interface Child {
  proc: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function spawnChild(limits: SandboxLimits, onMessage: (m: ChildMessage) => void): Promise<Child> {
  const script = await resolveChildScript();
  const proc = fork(script, [], {
    env: cleanEnv(),
    execArgv: [`--max-old-space-size=${limits.memoryMb}`, '--enable-source-maps', '--no-warnings'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  let err = '';
  proc.stdout?.resume();
  proc.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  proc.on('message', (m) => onMessage(m as ChildMessage));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    proc.once('exit', (code, signal) => {
      // A killed child cannot remove the bundles it wrote.
      if (proc.pid) rmSync(bundleDir(proc.pid), { recursive: true, force: true });
      res({ code, signal });
    }),
  );
  proc.on('error', () => undefined);
  return { proc, stderr: () => err, exited };
}

function crashReason(limits: SandboxLimits, exit: { code: number | null; signal: NodeJS.Signals | null }, stderr: string): string {
  if (/heap out of memory|Allocation failed/i.test(stderr)) return `ran out of memory (limit ${limits.memoryMb} MB)`;
  const last = stderr.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
  return `the loader process ended unexpectedly (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`})${last ? `: ${last}` : ''}`;
}

function kill(child: Child): void {
  if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
}

export class ProtocolSandbox {
  constructor(private readonly limits: SandboxLimits) {}

  /**
   * Loads each file in a child and reports its protocols' metadata. Always answers one report per
   * file, in order: a file that throws, loops or crashes the child is an error, and the rest go on.
   */
  async discover(root: string, files: string[]): Promise<FileReport[]> {
    const reports = new Map<string, FileReport>();
    let remaining = [...files];
    while (remaining.length) {
      const batch = remaining;
      await new Promise<void>((resolveBatch, rejectBatch) => {
        let current: string | null = null;
        let started = false;
        let timer: NodeJS.Timeout | undefined;
        let settled = false;
        let child: Child | undefined;
        const finish = (failure?: FileReport) => {
          if (settled) return;
          settled = true;
          if (timer) clearTimeout(timer);
          if (failure) reports.set(failure.file, failure);
          if (child) kill(child);
          remaining = batch.filter((f) => !reports.has(f));
          resolveBatch();
        };
        spawnChild(this.limits, (m) => {
          if (m.type === 'file-start') {
            started = true;
            current = m.file;
            if (timer) clearTimeout(timer);
            timer = setTimeout(
              () => finish({ file: m.file, ok: false, error: { file: m.file, message: `loading did not finish within ${this.limits.timeoutMs} ms (an endless loop or a wait at module level?)` } }),
              this.limits.timeoutMs,
            );
          } else if (m.type === 'file') {
            reports.set(m.report.file, m.report);
            current = null;
            if (timer) clearTimeout(timer);
          } else if (m.type === 'job-error') {
            if (current) reports.set(current, { file: current, ok: false, error: { file: current, message: m.error.message } });
          } else if (m.type === 'done') {
            finish();
          }
        })
          .then((c) => {
            child = c;
            c.exited.then((exit) => {
              if (settled) return;
              if (!started && !current) {
                settled = true;
                rejectBatch(new Error(`the protocol loader could not start: ${crashReason(this.limits, exit, c.stderr())}`));
                return;
              }
              const file = current ?? batch.find((f) => !reports.has(f));
              finish(file ? { file, ok: false, error: { file, message: crashReason(this.limits, exit, c.stderr()) } } : undefined);
            });
            const job: DiscoverJob = { type: 'discover', root, files: batch };
            c.proc.send(job);
          })
          .catch(rejectBatch);
      });
    }
    return files.map((f) => reports.get(f)!);
  }

  /** Runs one simulation in a child; a run that does not finish in time is stopped and reported. */
  async simulate(job: SimulateJob, timeoutMs = this.limits.timeoutMs): Promise<SimulationOutcome> {
    let lastStep: { seq: number; name: string } | null = null;
    let outcome: SimulationOutcome | undefined;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const child = await spawnChild(this.limits, (m) => {
      if (m.type === 'step') lastStep = { seq: m.seq, name: m.name };
      else if (m.type === 'simulated') outcome = { ok: true, report: m.report };
      else if (m.type === 'job-error') outcome = { ok: false, kind: m.error.kind, error: m.error, ...(m.error.issues ? { issues: m.error.issues } : {}) };
      else if (m.type === 'done') done();
    });
    const timer = setTimeout(done, timeoutMs);
    child.exited.then(() => done());
    child.proc.send(job);
    await finished;
    clearTimeout(timer);
    kill(child);
    const exit = await child.exited;
    if (outcome) return outcome;
    const step = lastStep as { seq: number; name: string } | null;
    const timedOut = exit.signal === 'SIGKILL' && !/out of memory/i.test(child.stderr());
    const message = timedOut ? `the simulation did not finish within ${timeoutMs} ms${step ? ` (step ${step.name} #${step.seq} was running)` : ''}` : crashReason(this.limits, exit, child.stderr());
    return {
      ok: true,
      report: {
        passed: false,
        violations: [{ step: step?.name ?? null, stepSeq: step?.seq ?? null, command: null, error: { name: timedOut ? 'SimulationTimeout' : 'SimulationCrashed', message }, resource: null, channel: null }],
        commandCount: 0,
        commands: [],
        steps: [],
        estimatedDurationS: 0,
        finalState: { deck: null, run: {} },
        outputs: [],
        logs: [],
        inputs: [],
        assets: {},
      },
    };
  }
}
