// A child process of bench:events holding a share of the Socket.IO clients, so that receiving
// (a JSON message per client per batch) runs beside the parent's own measurements instead of
// delaying them. Driven by the parent over IPC: connect, subscribe, collect, replay, close.
import { setTimeout as sleep } from 'node:timers/promises';
import { io } from 'socket.io-client';

/** One client of `/events`: per event of the followed run, its seq, receipt time and `at`. */
class Client {
  constructor(socket) {
    this.socket = socket;
    this.reset(null);
    // As little as possible while events stream (this process's CPU delays its own receipts):
    // the batch and its receipt time; latencies are worked out afterwards.
    socket.on('events', (batch) => {
      this.batches.push(Date.now(), batch);
      this.messages++;
      const last = batch[batch.length - 1];
      if (last.runId === this.runId && last.seq !== null) this.lastSeq = last.seq;
      this.lastAt = performance.now();
    });
  }
  /** Seqs of the followed run in the order received, with each one's latency (receipt − at). */
  received() {
    const seqs = [];
    const latency = [];
    for (let i = 0; i < this.batches.length; i += 2) {
      const now = this.batches[i];
      for (const e of this.batches[i + 1]) {
        if (e.runId !== this.runId || e.seq === null) continue;
        seqs.push(e.seq);
        latency.push(now - Date.parse(e.at));
      }
    }
    return { seqs, latency };
  }
  reset(runId) {
    this.runId = runId;
    this.batches = [];
    this.lastSeq = 0;
    this.lastAt = 0;
    this.messages = 0;
    this.ackSeq = null;
  }
  static connect(base, token) {
    const socket = io(`${base}/events`, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(new Client(socket)));
      socket.once('connect_error', (err) => reject(new Error(`connect: ${err.message}`)));
    });
  }
  async subscribe(runId, afterSeq = 0) {
    this.reset(runId);
    const ack = await this.socket.timeout(60000).emitWithAck('subscribe', { runId, afterSeq });
    if (!ack.ok) throw new Error(`subscribe: ${JSON.stringify(ack.error)}`);
    this.ackSeq = ack.lastSeq;
  }
}

async function inBatches(items, size, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

let clients = [];
let cpuMark = process.cpuUsage();

const handlers = {
  async connect({ base, token, count }) {
    clients = await inBatches(Array.from({ length: count }), 50, () => Client.connect(base, token));
  },
  async subscribe({ runId }) {
    await inBatches(clients, 100, (c) => c.subscribe(runId));
    cpuMark = process.cpuUsage();
  },
  /** Once every client has the run's last event: live latencies, completeness, messages, CPU used. */
  async collect({ runId, lastSeq }) {
    const until = Date.now() + 120000;
    while (!clients.every((c) => c.lastSeq >= lastSeq)) {
      if (Date.now() > until) throw new Error('timed out waiting for every client to get the last event');
      await sleep(20);
    }
    const cpu = process.cpuUsage(cpuMark);
    const latency = [];
    let complete = true;
    let messages = 0;
    for (const c of clients) {
      messages += c.messages;
      const r = c.received();
      complete &&= r.seqs.length === lastSeq && r.seqs.every((s, k) => s === k + 1);
      for (let k = 0; k < r.seqs.length; k++) if (r.seqs[k] > c.ackSeq) latency.push(r.latency[k]);
    }
    await inBatches(clients, 100, (c) => c.socket.timeout(60000).emitWithAck('unsubscribe', { runId }));
    return { latency, complete, messages, cpuMs: (cpu.user + cpu.system) / 1000 };
  },
  /** A new connection replays the run's log from the start: time to its last event and to the ack. */
  async replay({ base, token, runId, events }) {
    const c = await Client.connect(base, token);
    const t = performance.now();
    c.runId = runId;
    const ack = c.subscribe(runId).then(() => performance.now());
    while (c.lastSeq < events) await sleep(2);
    const tAck = await ack;
    c.socket.close();
    const { seqs } = c.received();
    return { lastEventMs: c.lastAt - t, ackMs: tAck - t, messages: c.messages, ok: seqs.length === events && seqs.every((s, k) => s === k + 1) };
  },
  async close() {
    for (const c of clients) c.socket.close();
    clients = [];
  },
};

process.on('message', async ({ id, cmd, args }) => {
  try {
    process.send({ id, ok: true, result: await handlers[cmd](args ?? {}) });
  } catch (err) {
    process.send({ id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
process.on('disconnect', () => process.exit(0));
