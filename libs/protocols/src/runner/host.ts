// Worker side: runs one protocol in a child process (crash and hang isolation, hard cancel). The
// child's machine objects are proxies: each hardware call arrives here as a WireCall and is handed
// to `handlers.command`, which executes it on the live machine (see executeWireCall) and answers
// what it changed. Steps, logs, outputs, state changes and prompts are forwarded to the handlers.
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { assertJson, RunCancelledError, type InputRequest, type JsonValue, type LogEntry, type OutputRecord, type StepEnd, type StepStart } from '@praxis/protocol';
import { bundleDir } from '../sandbox/bundle-dir.js';
import { childEntryScript, cleanEnv } from '../sandbox/host.js';
import { failedCallUpdate } from './execute.js';
import { WARM_UP_ARG, type CommandReply, type RunChildMessage, type InputAnswerResult, type InputCloseReason, type RunOutcome, type RunSpec, type RunParentMessage, type WireCall } from './messages.js';
import { errorToWire } from './wire.js';

export interface RunHandlers {
  /**
   * Executes a hardware call on the live machine and answers the result with what it changed
   * (`executeWireCall` does both). A rejection is the call's error, given to the protocol as is
   * (its class rebuilt by name). `signal` aborts when the run is cancelled or its process ends: a
   * call the worker is holding (pause) or has not started yet should give up then.
   */
  command(call: WireCall, signal: AbortSignal): Promise<CommandReply>;
  stepStarted?(step: StepStart): void;
  stepEnded?(step: StepEnd): void;
  log?(entry: LogEntry): void;
  output?(output: OutputRecord): void;
  /** A run-state key changed (`undefined`: deleted). */
  stateChanged?(key: string, value: JsonValue | undefined): void;
  /**
   * The protocol asks the operator for input. Answer with `RunChild.answerInput(request.id, values)`,
   * as often as it takes: an invalid answer is refused with its issues and the prompt stays open.
   * `signal` aborts when the prompt closes; its reason is an InputCloseReason.
   */
  inputRequested?(request: InputRequest, signal: AbortSignal): void;
  /**
   * A line the run process wrote to its stdout or stderr itself (a protocol's console output goes
   * through `log`; this is the rest: Node warnings, native modules, a crash's last words).
   */
  processOutput?(stream: 'stdout' | 'stderr', line: string): void;
}

export interface RunChildOptions {
  /** Heap limit of the child (MB). */
  memoryMb: number;
  /** How long the child may take to load its modules (default 30 s). */
  startTimeoutMs?: number;
  /** A child started ahead of time (WarmRunProcesses), used instead of spawning one: its start is off the run's critical path. */
  warm?: WarmProcess;
  /**
   * A running child that sends nothing (not even its liveness message, once a second) for this
   * long is stuck in a loop that never yields: it is killed and the run fails naming the step.
   * Default 30 s; 0 turns the watchdog off.
   */
  hangTimeoutMs?: number;
}

type Phase = 'new' | 'starting' | 'running' | 'ended';

const DEFAULT_GRACE_MS = 5000;
const DEFAULT_HANG_MS = 30000;
/** After its outcome the child exits by itself; one that does not is killed after this long. */
const LINGER_MS = 2000;

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/**
 * One protocol run in a child process. `start()` spawns it; `outcome` settles once the child has
 * reported its outcome (or ended) and every hardware call the worker was executing for it has
 * settled; no call is taken after that. It never rejects: a
 * crash, running out of memory or an unexpected exit is a `failed` outcome naming the step that was
 * running. `cancel()` aborts the protocol's signal (pending calls and prompts reject with
 * RunCancelledError) and kills the child if it has not ended after a grace period.
 */
export class RunChild {
  readonly outcome: Promise<RunOutcome>;
  private settle!: (o: RunOutcome) => void;
  private phase: Phase = 'new';
  private proc: ChildProcess | null = null;
  private ready: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private childOutcome: RunOutcome | null = null;
  private cancelRequest: { reason?: string } | null = null;
  private exitHandled = false;
  private startFailure: string | null = null;
  private stderr = '';
  private readonly state: Record<string, JsonValue>;
  private readonly openSteps = new Map<number, { seq: number; name: string }>();
  private lastStep: { seq: number; name: string } | null = null;
  private readonly calls = new AbortController();
  private readonly inflight = new Set<Promise<void>>();
  private readonly prompts = new Map<string, { request: InputRequest; controller: AbortController }>();
  private readonly answers = new Map<number, (r: InputAnswerResult) => void>();
  private nextAnswerId = 0;
  private timers: NodeJS.Timeout[] = [];
  private lastHeard = Date.now();
  /** Set when the watchdog killed the child (its silence limit, ms). */
  private hung = 0;

  constructor(
    private readonly spec: RunSpec,
    private readonly handlers: RunHandlers,
    private readonly opts: RunChildOptions,
  ) {
    this.state = { ...(spec.initialState ?? {}) };
    this.outcome = new Promise<RunOutcome>((resolve) => (this.settle = resolve));
  }

  /** The child's process id (once started). */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** The seq of the step the protocol started last (what raw output of the process is attributed to). */
  get currentStep(): number | null {
    return this.lastStep?.seq ?? null;
  }

  /** The prompts open now. */
  get openInputs(): InputRequest[] {
    return [...this.prompts.values()].map((p) => p.request);
  }

  /** Spawns the child and hands it the run. Rejects when the child cannot start (the outcome is then `failed`). */
  async start(): Promise<void> {
    if (this.phase === 'ended') {
      this.opts.warm?.dispose(); // cancelled before it started: the warm process is not needed
      return;
    }
    if (this.phase !== 'new') throw new Error('RunChild.start() was called twice');
    this.phase = 'starting';
    const started = new Promise<void>((resolve, reject) => (this.ready = { resolve, reject }));
    const warm = this.opts.warm && this.opts.warm.usable() ? this.opts.warm : null;
    let proc: ChildProcess;
    if (warm) {
      proc = warm.claim();
      this.stderr = warm.stderr();
    } else {
      let script: string;
      try {
        script = await childEntryScript(import.meta.url, 'child');
      } catch (err) {
        this.failStart(`the run process could not be built: ${(err as Error).message}`);
        return started;
      }
      if (this.phase !== 'starting') return started;
      try {
        proc = spawnRunProcess(script, this.opts.memoryMb);
      } catch (err) {
        this.failStart(`the run process could not be spawned: ${(err as Error).message}`);
        return started;
      }
    }
    this.proc = proc;
    const lines = (stream: 'stdout' | 'stderr') => {
      let rest = '';
      return (d: Buffer) => {
        const text = rest + d.toString();
        const parts = text.split('\n');
        rest = parts.pop()!.slice(-8000);
        for (const line of parts) if (line.trim()) this.safe(() => this.handlers.processOutput?.(stream, line));
      };
    };
    proc.stdout?.on('data', lines('stdout'));
    const stderrLines = lines('stderr');
    proc.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-8000);
      stderrLines(d);
    });
    proc.on('message', (m) => this.onMessage(m));
    if (warm?.isReady()) queueMicrotask(() => this.onMessage({ type: 'ready' }));
    proc.on('error', (err) => {
      if (proc.pid === undefined) this.failStart(`the run process could not be spawned: ${err.message}`);
    });
    proc.once('exit', (code, signal) => this.onExit(code, signal));
    this.timer(() => {
      if (this.phase === 'starting') {
        this.startFailure = `the run process did not start within ${this.opts.startTimeoutMs ?? 30000} ms`;
        this.signalKill();
      }
    }, this.opts.startTimeoutMs ?? 30000);
    return started;
  }

  /**
   * Cancels the run: the protocol's `ctx.signal` aborts, its pending hardware call and prompts
   * reject with RunCancelledError, and no further call reaches the handlers. If the child has not
   * ended after `graceMs` (a loop without hardware calls), it is killed. The outcome is `cancelled`
   * unless the protocol had already finished.
   */
  cancel(reason?: string, graceMs = DEFAULT_GRACE_MS): void {
    if (this.phase === 'ended' || this.childOutcome || this.cancelRequest) return;
    this.cancelRequest = reason !== undefined ? { reason } : {};
    this.calls.abort(new RunCancelledError(reason));
    if (this.phase === 'new') {
      this.phase = 'ended';
      this.settle({ status: 'cancelled', ...(reason !== undefined ? { reason } : {}), state: { ...this.state } });
      return;
    }
    if (this.phase === 'running') this.post({ type: 'cancel', ...(reason !== undefined ? { reason } : {}) });
    this.timer(() => this.signalKill(), Math.max(0, graceMs));
  }

  /** Kills the child at once. The outcome is `cancelled` (reason `killed`) unless the protocol had already finished. */
  kill(): void {
    if (this.phase === 'ended') return;
    if (!this.cancelRequest && !this.childOutcome) {
      this.cancelRequest = { reason: 'killed' };
      this.calls.abort(new RunCancelledError('killed'));
    }
    if (this.phase === 'new') {
      this.phase = 'ended';
      this.settle({ status: 'cancelled', reason: 'killed', state: { ...this.state } });
      return;
    }
    this.signalKill();
  }

  /**
   * Answers an open prompt with the operator's raw values. The child validates them against the
   * prompt's fields: `{ ok: true, value }` (the protocol goes on with the parsed value), `{ ok: false,
   * reason: 'invalid', issues }` (the prompt stays open: refuse the answer naming the fields) or
   * `{ ok: false, reason: 'not-pending' }` (no such open prompt).
   */
  answerInput(requestId: string, values: unknown): Promise<InputAnswerResult> {
    if (this.phase !== 'running' || this.childOutcome || !this.prompts.has(requestId)) {
      return Promise.resolve({ ok: false, reason: 'not-pending', message: `no open prompt with id ${requestId} in run ${this.spec.runId}` });
    }
    const raw = values === undefined ? {} : values;
    try {
      assertJson(raw, 'values');
    } catch (err) {
      const path = (err as { path?: string }).path ?? 'values';
      return Promise.resolve({ ok: false, reason: 'invalid', issues: [{ field: path.replace(/^values\.?/, '') || '(root)', message: (err as Error).message }] });
    }
    const answerId = ++this.nextAnswerId;
    return new Promise<InputAnswerResult>((resolve) => {
      this.answers.set(answerId, resolve);
      this.post({ type: 'input-answer', answerId, requestId, values: raw });
    });
  }

  // ---- internals ------------------------------------------------------------------------------

  private timer(fn: () => void, ms: number): void {
    const t = setTimeout(fn, ms);
    t.unref?.();
    this.timers.push(t);
  }

  private alive(): boolean {
    const p = this.proc;
    return !!p && p.exitCode === null && p.signalCode === null;
  }

  private signalKill(): void {
    if (this.alive()) this.proc!.kill('SIGKILL');
  }

  /** Sends a message; false when it could not be serialized (a closed channel counts as sent: the exit handler settles the run). */
  private send(msg: RunParentMessage): boolean {
    const p = this.proc;
    if (!p || !p.connected) return true;
    try {
      p.send(msg, (err) => {
        if (err) return; // the child is gone: its exit is handled
      });
      return true;
    } catch (err) {
      return !(err instanceof TypeError || err instanceof RangeError);
    }
  }

  private post(msg: RunParentMessage): void {
    this.send(msg);
  }

  private safe(fn: () => void): void {
    try {
      fn();
    } catch {
      // A handler's failure must never break the run's bookkeeping.
    }
  }

  private failStart(message: string): void {
    if (this.phase === 'ended') return;
    this.startFailure = message;
    if (this.alive()) {
      this.signalKill(); // onExit finishes
      return;
    }
    this.phase = 'ended';
    this.ready?.reject(new Error(message));
    this.settle({ status: 'failed', error: { name: 'RunStartError', message }, step: null, state: { ...this.state } });
  }

  private onMessage(raw: unknown): void {
    // Nothing the child sends after its outcome is heard.
    if (!isObject(raw) || this.phase === 'ended' || this.childOutcome) return;
    this.lastHeard = Date.now();
    const m = raw as RunChildMessage;
    switch (m.type) {
      case 'alive':
        return;
      case 'ready':
        if (this.phase !== 'starting') return;
        this.phase = 'running';
        this.watch();
        if (this.cancelRequest) this.signalKill();
        else this.post({ type: 'run', spec: this.spec });
        this.ready?.resolve();
        return;
      case 'command':
        this.onCommand(m);
        return;
      case 'step-started':
        if (!isObject(m.step) || typeof m.step.seq !== 'number') return;
        this.lastStep = { seq: m.step.seq, name: String(m.step.name) };
        this.openSteps.set(m.step.seq, this.lastStep);
        this.safe(() => this.handlers.stepStarted?.(m.step));
        return;
      case 'step-ended':
        if (!isObject(m.step)) return;
        this.openSteps.delete(m.step.seq);
        this.safe(() => this.handlers.stepEnded?.(m.step));
        return;
      case 'log':
        if (isObject(m.entry)) this.safe(() => this.handlers.log?.(m.entry));
        return;
      case 'output':
        if (isObject(m.output)) this.safe(() => this.handlers.output?.(m.output));
        return;
      case 'state': {
        if (typeof m.key !== 'string') return;
        const value = m.deleted ? undefined : m.value;
        if (value === undefined) delete this.state[m.key];
        else this.state[m.key] = value;
        this.safe(() => this.handlers.stateChanged?.(m.key, value));
        return;
      }
      case 'input-request': {
        if (!isObject(m.request) || typeof m.request.id !== 'string' || this.prompts.has(m.request.id)) return;
        const controller = new AbortController();
        this.prompts.set(m.request.id, { request: m.request, controller });
        this.safe(() => this.handlers.inputRequested?.(m.request, controller.signal));
        return;
      }
      case 'input-checked': {
        const resolve = this.answers.get(m.answerId);
        if (!resolve) return;
        this.answers.delete(m.answerId);
        resolve(m.result);
        return;
      }
      case 'input-closed':
        this.closePrompt(m.requestId, m.reason);
        return;
      case 'batch':
        if (Array.isArray(m.messages)) for (const one of m.messages) if (!(isObject(one) && one.type === 'batch')) this.onMessage(one);
        return;
      case 'outcome': {
        if (!isObject(m.outcome)) return;
        const outcome = m.outcome;
        this.childOutcome = outcome;
        this.timer(() => this.signalKill(), LINGER_MS);
        // The run is over once the calls in flight have settled: no call is taken after the outcome,
        // and the process exits by itself (it is killed if it lingers); its exit is not waited for.
        void Promise.allSettled([...this.inflight]).then(() => this.settle(outcome));
        return;
      }
    }
  }

  private closePrompt(id: string, reason: InputCloseReason): void {
    const p = this.prompts.get(id);
    if (!p) return;
    this.prompts.delete(id);
    p.controller.abort(reason);
  }

  private onCommand(m: Extract<RunChildMessage, { type: 'command' }>): void {
    const id = m.id;
    if (typeof id !== 'number') return;
    const refuse = (error: { name: string; message: string }) => this.post({ type: 'command-result', id, ok: false, error });
    if (this.cancelRequest || this.childOutcome || this.phase !== 'running') {
      refuse(errorToWire(new RunCancelledError(this.cancelRequest?.reason)));
      return;
    }
    if (typeof m.machine !== 'string' || typeof m.method !== 'string' || !Array.isArray(m.args)) {
      refuse({ name: 'WireCallError', message: 'malformed hardware call' });
      return;
    }
    const call: WireCall = { machine: m.machine, method: m.method, args: m.args, stepSeq: typeof m.stepSeq === 'number' ? m.stepSeq : null };
    const work = (async () => {
      try {
        const reply = await this.handlers.command(call, this.calls.signal);
        if (!this.send({ type: 'command-result', id, ok: true, reply: reply ?? {} })) {
          // Not serializable (a handler's bug): the protocol gets an error rather than waiting forever.
          this.post({ type: 'command-result', id, ok: false, error: { name: 'WireCallError', message: `the result of ${call.machine}.${call.method}() could not be sent to the protocol` } });
        }
      } catch (err) {
        const update = failedCallUpdate(err);
        this.post({ type: 'command-result', id, ok: false, error: errorToWire(err), ...(update ? { update } : {}) });
      }
    })();
    this.inflight.add(work);
    void work.finally(() => this.inflight.delete(work));
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exitHandled) return;
    this.exitHandled = true;
    const wasStarting = this.phase === 'starting';
    this.phase = 'ended';
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    if (!this.calls.signal.aborted) this.calls.abort(new RunCancelledError('the run process ended'));
    for (const id of [...this.prompts.keys()]) this.closePrompt(id, 'ended');
    for (const resolve of this.answers.values()) resolve({ ok: false, reason: 'not-pending', message: 'the run ended' });
    this.answers.clear();
    const pid = this.proc?.pid;
    if (pid) rmSync(bundleDir(pid), { recursive: true, force: true });

    let outcome: RunOutcome;
    if (wasStarting) {
      const message = this.startFailure ?? `the run process could not start: ${this.exitDescription(code, signal)}`;
      this.ready?.reject(new Error(message));
      outcome = this.cancelRequest
        ? { status: 'cancelled', ...(this.cancelRequest.reason !== undefined ? { reason: this.cancelRequest.reason } : {}), state: { ...this.state } }
        : { status: 'failed', error: { name: 'RunStartError', message }, step: null, state: { ...this.state } };
    } else if (this.childOutcome) {
      outcome = this.childOutcome;
    } else if (this.cancelRequest) {
      outcome = { status: 'cancelled', ...(this.cancelRequest.reason !== undefined ? { reason: this.cancelRequest.reason } : {}), state: { ...this.state } };
    } else {
      outcome = this.crashOutcome(code, signal);
    }
    void Promise.allSettled([...this.inflight]).then(() => this.settle(outcome));
  }

  private exitDescription(code: number | null, signal: NodeJS.Signals | null): string {
    return `${signal ? `signal ${signal}` : `exit code ${code}`}${this.stderrTail()}`;
  }

  /** The hang watchdog: kills a running child that has gone silent for hangTimeoutMs. */
  private watch(): void {
    const limit = this.opts.hangTimeoutMs ?? DEFAULT_HANG_MS;
    if (!limit) return;
    const check = () => {
      if (this.phase !== 'running' || this.childOutcome || this.cancelRequest) return;
      if (Date.now() - this.lastHeard > limit) {
        this.hung = limit;
        this.signalKill();
        return;
      }
      this.timer(check, Math.min(1000, limit));
    };
    this.timer(check, Math.min(1000, limit));
  }

  private crashOutcome(code: number | null, signal: NodeJS.Signals | null): RunOutcome {
    const open = [...this.openSteps.values()].sort((a, b) => b.seq - a.seq)[0] ?? null;
    const step = open ?? this.lastStep;
    const where = open ? ` while step "${open.name}" (#${open.seq}) was running` : step ? ` after step "${step.name}" (#${step.seq})` : ' before the protocol started a step';
    if (this.hung) {
      const message = `the protocol stopped responding for ${Math.round(this.hung / 1000)} s (a loop that never awaits?) and was stopped${where}`;
      return { status: 'failed', error: { name: 'RunHungError', message }, step, state: { ...this.state } };
    }
    const oom = /heap out of memory|Allocation failed|Reached heap limit/i.test(this.stderr);
    const message = oom
      ? `the protocol process ran out of memory (limit ${this.opts.memoryMb} MB)${where}`
      : `the protocol process ended unexpectedly (${this.exitDescription(code, signal)})${where}`;
    return { status: 'failed', error: { name: oom ? 'RunOutOfMemoryError' : 'RunCrashedError', message }, step, state: { ...this.state } };
  }

  private stderrTail(): string {
    const last = this.stderr.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
    return last ? `: ${last}` : '';
  }
}


/** `warm`: started ahead of its run, it warms up before it says ready (a run waiting for it would not gain). */
function spawnRunProcess(script: string, memoryMb: number, warm = false): ChildProcess {
  return fork(script, warm ? [WARM_UP_ARG] : [], {
    env: cleanEnv(),
    // Source maps are turned on by the child itself once its own modules are loaded (reading the maps
    // of every module it loads would be a third of its start), before it imports the protocol.
    execArgv: [`--max-old-space-size=${memoryMb}`, '--no-warnings'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
}

/**
 * A run process started ahead of time: node started, modules loaded, waiting for its run. Handed
 * to one RunChild (`claim`), never reused: every run still gets a fresh process.
 */
export class WarmProcess {
  private ready = false;
  private claimed = false;
  private err = '';
  private readonly onMessage = (m: unknown) => {
    if (isObject(m) && m.type === 'ready') this.ready = true;
  };
  private readonly onErr = (d: Buffer) => {
    this.err = (this.err + d.toString()).slice(-8000);
  };

  private constructor(private readonly proc: ChildProcess) {
    proc.on('message', this.onMessage);
    proc.stderr?.on('data', this.onErr);
    proc.on('error', () => undefined);
  }

  static async start(memoryMb: number): Promise<WarmProcess> {
    return new WarmProcess(spawnRunProcess(await childEntryScript(import.meta.url, 'child'), memoryMb, true));
  }

  usable(): boolean {
    return !this.claimed && this.proc.exitCode === null && this.proc.signalCode === null && this.proc.connected;
  }

  isReady(): boolean {
    return this.ready;
  }

  stderr(): string {
    return this.err;
  }

  claim(): ChildProcess {
    this.claimed = true;
    this.proc.off('message', this.onMessage);
    this.proc.stderr?.off('data', this.onErr);
    return this.proc;
  }

  /** Calls `fn` once the process has exited. */
  onExit(fn: () => void): void {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) fn();
    else this.proc.once('exit', fn);
  }

  dispose(): void {
    if (!this.claimed && this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}

/**
 * Keeps one run process warm per heap limit; `take()` hands it out. When no other run that took one
 * is going on, the next one is started once this run is over (its process exited): started at
 * once, its start (~0.2 s of CPU) would compete with the run it was taken for. When runs overlap,
 * the next one is started at once. A run that finds none spawns its own.
 */
export class WarmRunProcesses {
  private next: Promise<WarmProcess | null> | null = null;
  private closed = false;
  /** Processes handed out whose run is still going on. */
  private running = 0;

  constructor(private readonly memoryMb: number) {}

  /** A warm process, or undefined when none is ready to hand out (the run then spawns its own). */
  async take(): Promise<WarmProcess | undefined> {
    if (this.closed) return undefined;
    const pending = this.next;
    this.next = null;
    const current = pending ? await pending : null;
    const overlapping = this.running > 0;
    if (current && current.usable()) {
      this.running++;
      current.onExit(() => {
        this.running--;
        if (!this.next) void this.refill();
      });
      if (overlapping && !this.next) void this.refill();
      return current;
    }
    if (!this.next) void this.refill();
    return undefined;
  }

  /** Starts the next warm process (call once at startup to have one ready for the first run). */
  refill(): Promise<WarmProcess | null> {
    if (this.closed) return Promise.resolve(null);
    this.next = WarmProcess.start(this.memoryMb).catch(() => null);
    return this.next;
  }

  async close(): Promise<void> {
    this.closed = true;
    (await this.next)?.dispose();
  }
}
