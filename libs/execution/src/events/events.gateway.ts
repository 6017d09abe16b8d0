// The Socket.IO namespace `/events`: dashboards follow runs (replay after a seq, then live) and
// workcells (machine statuses). Every API instance subscribes once to the live events channel and
// delivers to its own sockets; the stored log in PostgreSQL fills whatever the channel lost or
// delivered out of order, so a subscriber sees each run's seqs exactly once and in order.
import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConnectedSocket, MessageBody, type OnGatewayDisconnect, type OnGatewayInit, SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { JwtStrategy, Role, satisfies, highestRole, type AuthPrincipal } from '@praxis/auth';
import { AppException, ErrorCode, observeEventDelivery } from '@praxis/common';
import { LIVE_EVENTS_CHANNEL, type LiveEvent, type LiveMessage, machineStatusEvent, RedisService } from '@praxis/redis';
import type { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import type { Namespace, Socket } from 'socket.io';
import { RunEventsService } from './run-events.service.js';

/** Events per message when replaying from the stored log. */
const PAGE = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TIMER_MS = 2 ** 31 - 1;

export const runRoom = (runId: string): string => `run:${runId}`;
export const workcellRoom = (workcellId: string): string => `workcell:${workcellId}`;

/** What `subscribe` / `unsubscribe` acknowledge. */
export type EventsAck =
  | { ok: true; runId: string; lastSeq: number }
  | { ok: true; workcellId: string }
  | { ok: false; error: { code: string; message: string; details?: unknown } };

interface Join {
  socket: Socket;
  /** The last seq this socket has been sent. */
  sent: number;
  done: (err?: unknown) => void;
}

/**
 * One run followed by sockets of this instance. `last` is the highest seq delivered to the run's
 * room; everything for the room goes through one pump (live batches, gap reads, the last step of
 * each join) so the room's deliveries stay in seq order without duplicates.
 */
interface RunWatch {
  runId: string;
  room: string;
  last: number | null;
  live: LiveEvent[];
  joins: Join[];
  /** Read the log after `last` even without a live event to show a gap (after a Redis reconnect). */
  check: boolean;
  pumping: boolean;
  members: Set<string>;
}

type SocketData = { principal: AuthPrincipal; runs: Set<string> };

function tokenOf(socket: Socket): string | null {
  const auth = socket.handshake.auth as { token?: unknown } | undefined;
  if (typeof auth?.token === 'string' && auth.token) return auth.token.replace(/^Bearer\s+/i, '');
  const header = socket.handshake.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return m ? m[1]! : null;
}

function errorOf(err: unknown): { code: string; message: string; details?: unknown } {
  if (err instanceof AppException) return { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) };
  return { code: ErrorCode.INTERNAL_ERROR, message: 'Internal error' };
}

const invalid = (field: string, message: string) => AppException.validation([{ field, message: `${field}: ${message}` }]);

@WebSocketGateway({ namespace: '/events', serveClient: false })
export class EventsGateway implements OnGatewayInit, OnGatewayDisconnect, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventsGateway.name);
  @WebSocketServer() private readonly nsp!: Namespace;
  private readonly watches = new Map<string, RunWatch>();
  private subscriber: Redis | null = null;

  constructor(
    private readonly jwt: JwtStrategy,
    private readonly events: RunEventsService,
    private readonly redis: RedisService,
  ) {}

  // --- connection ------------------------------------------------------------------------------

  afterInit(nsp: Namespace): void {
    // The handshake is refused (connect_error with `data: { code, message }`) without a valid token.
    nsp.use((socket, next) => {
      this.authenticate(socket).then(
        () => next(),
        (err: unknown) => next(Object.assign(new Error(errorOf(err).message), { data: errorOf(err) })),
      );
    });
  }

  private async authenticate(socket: Socket): Promise<void> {
    const token = tokenOf(socket);
    if (!token) throw new AppException(ErrorCode.UNAUTHENTICATED, 'Missing token: pass auth.token or Authorization: Bearer <token> in the handshake');
    const principal = await this.jwt.authenticateToken(token);
    (socket.data as SocketData) = { principal, runs: new Set() };
    // A connection does not outlive its token: the client reconnects with a fresh one (and afterSeq).
    const exp = (jwt.decode(token) as { exp?: number } | null)?.exp;
    if (typeof exp === 'number') {
      const timer = setTimeout(() => socket.disconnect(true), Math.min(MAX_TIMER_MS, Math.max(0, exp * 1000 - Date.now())));
      timer.unref();
      socket.once('disconnect', () => clearTimeout(timer));
    }
  }

  handleDisconnect(socket: Socket): void {
    const data = socket.data as SocketData | undefined;
    for (const runId of data?.runs ?? []) this.leave(socket, runId);
  }

  // --- messages --------------------------------------------------------------------------------

  /**
   * `subscribe { runId, afterSeq? }`: the stored events after afterSeq (default 0: all), then live
   * ones, as `events` messages; acknowledged with the last seq sent once the switch to live is
   * done. `subscribe { workcellId }`: the current status of every machine of the workcell, then
   * its live `machine.status` (and its runs' `run.status`). Viewer or better.
   */
  @SubscribeMessage('subscribe')
  async subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<EventsAck> {
    try {
      this.authorize(socket);
      const target = this.target(body, true);
      if ('workcellId' in target) return await this.followWorkcell(socket, target.workcellId);
      return await this.followRun(socket, target.runId, target.afterSeq);
    } catch (err) {
      if (!(err instanceof AppException)) this.logger.error({ err: (err as Error).message }, 'subscribe failed');
      return { ok: false, error: errorOf(err) };
    }
  }

  /** `unsubscribe { runId }` or `unsubscribe { workcellId }`. */
  @SubscribeMessage('unsubscribe')
  async unsubscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<EventsAck> {
    try {
      const target = this.target(body, false);
      if ('workcellId' in target) {
        await socket.leave(workcellRoom(target.workcellId));
        return { ok: true, workcellId: target.workcellId };
      }
      this.leave(socket, target.runId);
      return { ok: true, runId: target.runId, lastSeq: this.watches.get(target.runId)?.last ?? 0 };
    } catch (err) {
      return { ok: false, error: errorOf(err) };
    }
  }

  private authorize(socket: Socket): void {
    const { principal } = socket.data as SocketData;
    if (!satisfies(principal.roles, Role.Viewer)) {
      throw new AppException(ErrorCode.FORBIDDEN, `Following runs and workcells needs the viewer role; you have ${highestRole(principal.roles) ?? 'no role'}`, { requiredRole: Role.Viewer });
    }
  }

  private target(body: unknown, withSeq: boolean): { runId: string; afterSeq: number } | { workcellId: string } {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid('body', 'must be an object: { runId, afterSeq? } or { workcellId }');
    const b = body as Record<string, unknown>;
    const unknown = Object.keys(b).filter((k) => !['runId', 'afterSeq', 'workcellId'].includes(k));
    if (unknown.length) throw invalid(unknown[0]!, 'is not a field of this message');
    if (b.runId !== undefined && b.workcellId !== undefined) throw invalid('workcellId', 'give either runId or workcellId');
    if (b.workcellId !== undefined) {
      if (typeof b.workcellId !== 'string' || !UUID.test(b.workcellId)) throw invalid('workcellId', 'must be a UUID');
      if (b.afterSeq !== undefined) throw invalid('afterSeq', 'only with runId');
      return { workcellId: b.workcellId.toLowerCase() };
    }
    if (typeof b.runId !== 'string' || !UUID.test(b.runId)) throw invalid('runId', 'must be a UUID');
    if (b.afterSeq !== undefined && (!withSeq || typeof b.afterSeq !== 'number' || !Number.isInteger(b.afterSeq) || b.afterSeq < 0)) {
      throw invalid('afterSeq', withSeq ? 'must be an integer >= 0' : 'only with subscribe');
    }
    return { runId: b.runId.toLowerCase(), afterSeq: (b.afterSeq as number | undefined) ?? 0 };
  }

  private async followWorkcell(socket: Socket, workcellId: string): Promise<EventsAck> {
    // Join first, then read: a change made meanwhile arrives live as well (statuses are idempotent).
    await socket.join(workcellRoom(workcellId));
    try {
      const machines = await this.events.machines(workcellId);
      if (machines.length) socket.emit('events', machines.map((m) => machineStatusEvent(m)));
    } catch (err) {
      await socket.leave(workcellRoom(workcellId));
      throw err;
    }
    return { ok: true, workcellId };
  }

  /**
   * The switch from replay to live, without gap or duplicate: (1) bulk replay from the log, outside
   * the room's pump, so a long replay holds nobody else up; (2) in the pump: read the log after
   * what this socket has, send it the rest, bring the room up to the same seq if it is behind, and
   * join the room. Every later event reaches the socket through the room, from that same seq on.
   */
  private async followRun(socket: Socket, runId: string, afterSeq: number): Promise<EventsAck> {
    const head = await this.events.head(runId);
    if (afterSeq > head.lastSeq) throw invalid('afterSeq', `is beyond the run's last event (${head.lastSeq})`);
    const data = socket.data as SocketData;
    if (data.runs.has(runId)) this.leave(socket, runId);
    data.runs.add(runId);
    const w = this.watch(runId);
    w.members.add(socket.id);
    let sent = afterSeq;
    try {
      for (;;) {
        const page = await this.events.after(runId, sent, PAGE);
        if (!socket.connected || !data.runs.has(runId)) return { ok: true, runId, lastSeq: sent };
        if (page.length) {
          socket.emit('events', page);
          sent = page[page.length - 1]!.seq!;
        }
        if (page.length < PAGE) break;
      }
      const lastSeq = await new Promise<number>((resolve, reject) => {
        w.joins.push({ socket, sent, done: (err) => (err ? reject(err) : resolve(w.last ?? sent)) });
        this.kick(w);
      });
      return { ok: true, runId, lastSeq };
    } catch (err) {
      // Not following after all: the client may subscribe again (with the afterSeq it has).
      this.leave(socket, runId);
      throw err;
    }
  }

  private watch(runId: string): RunWatch {
    let w = this.watches.get(runId);
    if (!w) {
      w = { runId, room: runRoom(runId), last: null, live: [], joins: [], check: false, pumping: false, members: new Set() };
      this.watches.set(runId, w);
    }
    return w;
  }

  private leave(socket: Socket, runId: string): void {
    const data = socket.data as SocketData | undefined;
    data?.runs.delete(runId);
    void socket.leave(runRoom(runId));
    const w = this.watches.get(runId);
    if (!w) return;
    w.members.delete(socket.id);
    if (!w.members.size && !w.pumping) this.watches.delete(runId);
  }

  // --- live delivery ---------------------------------------------------------------------------

  async onApplicationBootstrap(): Promise<void> {
    const sub = this.redis.client.duplicate();
    this.subscriber = sub;
    sub.on('error', () => undefined);
    sub.on('message', (_channel: string, text: string) => this.onMessage(text));
    let connected = false;
    // Messages published while this instance was cut off from Redis are lost: read the log.
    sub.on('ready', () => {
      if (connected) for (const w of this.watches.values()) this.kick(w, true);
      connected = true;
    });
    await sub.subscribe(LIVE_EVENTS_CHANNEL).catch((err: Error) => this.logger.warn({ err: err.message }, 'live events channel not subscribed yet (Redis down?); retrying on reconnect'));
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber?.disconnect();
  }

  private onMessage(text: string): void {
    let msg: LiveMessage;
    try {
      msg = JSON.parse(text) as LiveMessage;
    } catch {
      return;
    }
    if (!Array.isArray(msg.events)) return;
    if ('runId' in msg && msg.runId) {
      if (msg.workcellId) {
        const statuses = msg.events.filter((e) => e.type === 'run.status');
        if (statuses.length) this.nsp.to(workcellRoom(msg.workcellId)).emit('events', statuses);
      }
      const w = this.watches.get(msg.runId);
      if (!w) return;
      w.live.push(...msg.events);
      this.kick(w);
    } else if (msg.workcellId) {
      this.nsp.to(workcellRoom(msg.workcellId)).emit('events', msg.events);
    }
  }

  private kick(w: RunWatch, check = false): void {
    if (check) w.check = true;
    if (w.pumping) return;
    w.pumping = true;
    // Start on the next turn of the event loop: messages already received join this batch.
    setImmediate(() => void this.pump(w));
  }

  /**
   * Delivers to the run's room in seq order. Live events arriving while a broadcast or a read is
   * going on accumulate and go out together (one message per batch, whatever the batch size).
   */
  private async pump(w: RunWatch): Promise<void> {
    try {
      while (w.live.length || w.joins.length || w.check) {
        if (w.live.length || w.check) {
          const batch = w.live.splice(0).sort((a, b) => a.seq! - b.seq!);
          const check = w.check;
          w.check = false;
          if (w.last === null) continue; // nobody in the room yet: joins read the log themselves
          const out: LiveEvent[] = [];
          let gap = check;
          for (const e of batch) {
            const expected = w.last + out.length + 1;
            if (e.seq! < expected) continue;
            if (e.seq! > expected) {
              gap = true;
              break;
            }
            out.push(e);
          }
          if (out.length) {
            this.broadcast(w, out);
            // Live delivery only (a replay to a new subscriber is old by design).
            const now = Date.now();
            for (const e of out) observeEventDelivery(new Date(e.at), now);
          }
          // Published out of commit order (two processes), or lost: what is missing is committed
          // already (seqs are allocated under the run's row lock), so the log has it.
          if (gap) await this.catchUp(w);
        }
        const join = w.joins.shift();
        if (join) await this.finishJoin(w, join);
        await new Promise((r) => setImmediate(r));
      }
    } catch (err) {
      this.logger.error({ runId: w.runId, err: (err as Error).message }, 'live delivery failed; the next event retries');
      for (const j of w.joins.splice(0)) j.done(err);
    } finally {
      w.pumping = false;
      if (!w.members.size) this.watches.delete(w.runId);
      else if (w.live.length || w.joins.length || w.check) this.kick(w);
    }
  }

  private broadcast(w: RunWatch, events: LiveEvent[]): void {
    this.nsp.to(w.room).emit('events', events);
    w.last = events[events.length - 1]!.seq!;
  }

  private async catchUp(w: RunWatch): Promise<void> {
    for (;;) {
      const page = await this.events.after(w.runId, w.last!, PAGE);
      if (page.length) this.broadcast(w, page);
      if (page.length < PAGE) return;
    }
  }

  private async finishJoin(w: RunWatch, j: Join): Promise<void> {
    try {
      if (!j.socket.connected || !(j.socket.data as SocketData).runs.has(w.runId)) return j.done();
      let cursor = Math.min(j.sent, w.last ?? j.sent);
      for (;;) {
        const page = await this.events.after(w.runId, cursor, PAGE);
        if (page.length) cursor = page[page.length - 1]!.seq!;
        const mine = page.filter((e) => e.seq! > j.sent);
        if (mine.length) {
          j.socket.emit('events', mine);
          j.sent = mine[mine.length - 1]!.seq!;
        }
        // The room is behind what this socket has now: bring it up first (it would otherwise get
        // these later, live, and the new member twice).
        if (w.last !== null) {
          const theirs = page.filter((e) => e.seq! > w.last!);
          if (theirs.length) this.broadcast(w, theirs);
        }
        if (page.length < PAGE) break;
      }
      w.last = Math.max(w.last ?? 0, j.sent);
      await j.socket.join(w.room);
      j.done();
    } catch (err) {
      j.done(err);
    }
  }
}
