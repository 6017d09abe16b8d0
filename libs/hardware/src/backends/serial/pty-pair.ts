import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PtyPairOptions {
  /** Folder for the two links (created when omitted, under the OS temp folder). */
  dir?: string;
  /** How long to wait for socat to create both links (ms). Default 3000. */
  startTimeoutMs?: number;
}

const live = new Set<PtyPair>();

/** Whether `socat` is on the PATH (the test runner installs it: `scripts/lib/services.mjs` ensureSocat). */
export function hasSocat(): boolean {
  return spawnSync('sh', ['-c', 'command -v socat'], { stdio: 'ignore' }).status === 0;
}

/**
 * Two connected pseudo-terminals made by `socat` (a null-modem cable in software): what is written
 * on `hostPath` is read on `devicePath` and back. The host side is where a backend's
 * SerialConnection opens; the device side is where a simulator serves its protocol.
 *
 * `unplug()` kills socat (both ptys vanish: the host's next command fails with
 * DeviceDisconnectedError); `replug()` starts it again on the same link paths. Closing only the device
 * side (a simulator stops) does not end the link: socat keeps both masters, so the host sees a
 * silent device (DeviceTimeoutError), like a device switched off behind a USB-serial adapter that
 * stays plugged in.
 */
export class PtyPair {
  readonly dir: string;
  readonly hostPath: string;
  readonly devicePath: string;
  private readonly ownsDir: boolean;
  private readonly startTimeoutMs: number;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(opts: PtyPairOptions) {
    this.ownsDir = opts.dir === undefined;
    this.dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'praxis-pty-'));
    this.hostPath = join(this.dir, 'host');
    this.devicePath = join(this.dir, 'device');
    this.startTimeoutMs = opts.startTimeoutMs ?? 3000;
  }

  /** Starts socat and waits until both links point at live ptys. */
  static async open(opts: PtyPairOptions = {}): Promise<PtyPair> {
    const pair = new PtyPair(opts);
    live.add(pair);
    try {
      await pair.start();
    } catch (err) {
      await pair.close();
      throw err;
    }
    return pair;
  }

  /** Closes every pair still open (for an afterAll safety net). */
  static async closeAll(): Promise<void> {
    await Promise.all([...live].map((p) => p.close()));
  }

  /** socat's pid while it runs. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Kills socat: both ptys disappear, as when a USB-serial cable is pulled. */
  async unplug(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (child && this.running) {
      child.kill(signal);
      await this.exited;
    }
    this.child = undefined;
    this.removeLinks();
  }

  /** Starts socat again on the same link paths. */
  async replug(): Promise<void> {
    await this.unplug();
    await this.start();
  }

  /** Stops socat and removes the links (and the folder when we made it). */
  async close(): Promise<void> {
    await this.unplug();
    live.delete(this);
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }

  private async start(): Promise<void> {
    this.removeLinks();
    let stderr = '';
    const child = spawn('socat', [`pty,raw,echo=0,link=${this.hostPath}`, `pty,raw,echo=0,link=${this.devicePath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    this.child = child;
    this.exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    const until = Date.now() + this.startTimeoutMs;
    for (;;) {
      if (this.linkLive(this.hostPath) && this.linkLive(this.devicePath)) return;
      const err = await Promise.race([spawnError, sleep(10).then(() => undefined)]);
      if (err) throw new Error(`cannot start socat (${err.message}); install it (Debian: apt-get install socat)`);
      if (!this.running) throw new Error(`socat exited at start (code ${child.exitCode ?? child.signalCode}): ${stderr.trim()}`);
      if (Date.now() > until) {
        child.kill('SIGKILL');
        throw new Error(`socat did not create ${this.hostPath} and ${this.devicePath} within ${this.startTimeoutMs} ms`);
      }
    }
  }

  private linkLive(p: string): boolean {
    try {
      return statSync(p).isCharacterDevice();
    } catch {
      return false;
    }
  }

  private removeLinks(): void {
    // rmSync removes the symlink itself, dangling or not.
    for (const p of [this.hostPath, this.devicePath]) rmSync(p, { force: true });
  }
}
