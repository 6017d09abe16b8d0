import { assembleCommand, decodeErrors, errorForReply, type FwParams, parseReply, type ParsedReply, replyId, StarTimeoutError } from './firmware.js';
import { toText, type Transport } from './transport.js';

export interface StarConnectionOptions {
  /** Default time to wait for each reply (ms). */
  readTimeoutMs?: number;
  /** Channel count, for closing per-channel lists with `&`. */
  numChannels?: number;
  /** Called with each reply that matches no pending command (late after a timeout, or unsolicited). */
  onDroppedReply?: (reply: string, reason: 'late-or-unknown' | 'no-id-match') => void;
  /** Called with every command sent and reply received. */
  onTraffic?: (direction: 'out' | 'in', text: string) => void;
}

interface Pending {
  id: number | null;
  /** Module + command, to match replies that carry no id. */
  key: string;
  command: string;
  resolve: (reply: string) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export interface SendOptions {
  timeoutMs?: number;
  /** Whether to send an `id####` (default true). */
  autoId?: boolean;
}

/**
 * A firmware connection: one reader (the transport's data callback) matches each reply to its
 * pending command by id, or by module+command when the reply has none; each command has its own
 * timeout. A reply whose command already timed out matches nothing and is dropped (reported
 * through `onDroppedReply`), never handed to a later command: ids are not reused while pending,
 * and cycle through 1..9999.
 */
export class StarConnection {
  readonly readTimeoutMs: number;
  numChannels: number;
  private readonly byId = new Map<number, Pending>();
  private readonly withoutId: Pending[] = [];
  private lastId = 0;
  private opened = false;

  constructor(
    readonly transport: Transport,
    private readonly opts: StarConnectionOptions = {},
  ) {
    this.readTimeoutMs = opts.readTimeoutMs ?? 30_000;
    this.numChannels = opts.numChannels ?? 8;
  }

  get isOpen(): boolean {
    return this.opened;
  }

  /** Commands still waiting for a reply. */
  get pendingCount(): number {
    return this.byId.size + this.withoutId.length;
  }

  async open(): Promise<void> {
    if (this.opened) return;
    this.transport.onData((data) => this.onReply(toText(data)));
    await this.transport.open();
    this.opened = true;
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    this.opened = false;
    const err = new Error('connection closed');
    for (const p of [...this.byId.values(), ...this.withoutId]) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.byId.clear();
    this.withoutId.length = 0;
    await this.transport.close();
  }

  private nextId(): number {
    for (let i = 0; i < 10_000; i++) {
      this.lastId = (this.lastId % 9999) + 1;
      if (!this.byId.has(this.lastId)) return this.lastId;
    }
    throw new Error('no free command id: 9999 commands pending');
  }

  /**
   * Sends a command and resolves with its raw reply; rejects with the decoded firmware error
   * (ChannelizedError, StarFirmwareError) or StarTimeoutError.
   */
  send(module: string, command: string, params: FwParams = [], opts: SendOptions = {}): Promise<string> {
    const id = opts.autoId === false ? null : this.nextId();
    const text = assembleCommand(module, command, id, params, this.numChannels);
    return this.sendRaw(text, id, opts.timeoutMs);
  }

  /** Sends a command and parses its reply with a field format (see `parseReply`). */
  async query(module: string, command: string, fmt: string, params: FwParams = [], opts: SendOptions = {}): Promise<ParsedReply> {
    return parseReply(await this.send(module, command, params, opts), fmt);
  }

  /** Sends an assembled command string; `id` is the id it carries (null when none). */
  sendRaw(text: string, id: number | null, timeoutMs = this.readTimeoutMs): Promise<string> {
    if (!this.opened) return Promise.reject(new Error('connection is not open'));
    return new Promise<string>((resolve, reject) => {
      const pending: Pending = {
        id,
        key: text.slice(0, 4),
        command: text,
        resolve,
        reject,
        timer: setTimeout(() => this.expire(pending, timeoutMs), timeoutMs),
      };
      if (id !== null) this.byId.set(id, pending);
      else this.withoutId.push(pending);
      this.opts.onTraffic?.('out', text);
      this.transport.write(text).catch((err: unknown) => {
        this.forget(pending);
        reject(err instanceof Error ? err : new Error(String(err)));
      });
    });
  }

  private forget(p: Pending): void {
    clearTimeout(p.timer);
    if (p.id !== null) {
      if (this.byId.get(p.id) === p) this.byId.delete(p.id);
    } else {
      const i = this.withoutId.indexOf(p);
      if (i >= 0) this.withoutId.splice(i, 1);
    }
  }

  private expire(p: Pending, timeoutMs: number): void {
    this.forget(p);
    p.reject(new StarTimeoutError(p.command, timeoutMs));
  }

  /** The reader: one call per message received. */
  private onReply(raw: string): void {
    const reply = raw.replace(/[\r\n\0]+$/, '');
    if (!reply) return;
    this.opts.onTraffic?.('in', reply);
    const id = replyId(reply);
    let p: Pending | undefined;
    if (id !== null) {
      p = this.byId.get(id);
      if (p && p.key !== reply.slice(0, 4)) p = undefined; // same id, other command: not ours
    } else {
      const key = reply.slice(0, 4);
      p = this.withoutId.find((w) => w.key === key);
    }
    if (!p) {
      this.opts.onDroppedReply?.(reply, id !== null ? 'late-or-unknown' : 'no-id-match');
      return;
    }
    this.forget(p);
    const entries = reply.includes('er') ? decodeErrors(reply) : [];
    const err = entries.length ? errorForReply(reply, entries) : null;
    if (err) p.reject(err);
    else p.resolve(reply);
  }
}
