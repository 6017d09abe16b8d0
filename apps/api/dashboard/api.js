// The dashboard's only way to the server: REST under /api/v1 with the session's token, and the
// Socket.IO `/events` namespace for live events. The token lives in sessionStorage (one tab, gone
// when the tab closes).
import { io } from '/dashboard/socket.io.esm.min.js';

const TOKEN_KEY = 'praxis.token';
const BASE = '/api/v1';

/** An error answered by the API, in its envelope `{ error: { code, message, details, traceId } }`. */
export class ApiError extends Error {
  constructor(status, body) {
    const e = body?.error ?? {};
    super(e.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = e.code ?? 'HTTP_ERROR';
    this.details = e.details ?? null;
    this.traceId = e.traceId ?? null;
  }

  /** Per-field messages of a 400 VALIDATION_FAILED: `{ field: message }`. */
  get fieldErrors() {
    const out = {};
    for (const f of this.details?.errors ?? []) out[f.field] = f.message;
    return out;
  }
}

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
  /** `GET /auth/me`, kept for the session: username and roles. */
  me: null,
};

/** Listeners told when the token is refused (expired, revoked): the app shows the login form. */
const onUnauthenticated = new Set();
export const whenLoggedOut = (fn) => onUnauthenticated.add(fn);

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${BASE}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (res.status === 401 && path !== '/auth/login') for (const fn of onUnauthenticated) fn(err);
    throw err;
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body ?? {});

export async function login(username, password) {
  const { accessToken } = await api('POST', '/auth/login', { username, password });
  session.token = accessToken;
  session.me = await get('/auth/me');
  return session.me;
}

export function logout() {
  session.token = null;
  session.me = null;
  closeEvents();
}

/** Whether the signed-in user may act on runs (the API refuses viewers anyway). */
export function canOperate() {
  const roles = session.me?.roles ?? [];
  return roles.includes('operator') || roles.includes('admin');
}

// ---- live events -----------------------------------------------------------------------------

let socket = null;
/** Live subscriptions by key (`run:<id>` / `workcell:<id>`): which events are theirs, who wants them. */
const subscriptions = new Map();

function events() {
  if (socket) return socket;
  // Websocket only: the page's CSP allows this origin's websocket, and long-polling would only hide a
  // refused upgrade.
  socket = io('/events', { path: '/socket.io', transports: ['websocket'], auth: (cb) => cb({ token: session.token }) });
  socket.on('events', (batch) => {
    for (const ev of batch) for (const sub of subscriptions.values()) if (sub.wants(ev)) sub.deliver(ev);
  });
  // On (re)connect, subscribe again: runs from the last seq seen.
  socket.on('connect', () => {
    for (const sub of subscriptions.values()) subscribe(sub);
  });
  socket.on('connect_error', (err) => {
    if (err?.data?.code === 'UNAUTHENTICATED') for (const fn of onUnauthenticated) fn(err);
  });
  return socket;
}

function subscribe(sub) {
  socket.emit('subscribe', sub.body(), (ack) => {
    if (!ack?.ok) console.warn('subscribe refused', sub.body(), ack?.error);
  });
}

function follow(key, sub) {
  const s = events();
  const existing = subscriptions.get(key);
  if (existing) {
    // Already followed (by another part of the page): this listener first gets what was delivered so far.
    const [fn] = sub.listeners;
    for (const ev of existing.delivered ?? []) fn(ev);
    existing.listeners.push(fn);
    return stopper(key, fn);
  }
  subscriptions.set(key, sub);
  if (s.connected) subscribe(sub);
  return stopper(key, sub.listeners[0]);
}

function stopper(key, fn) {
  return () => {
    const sub = subscriptions.get(key);
    if (!sub) return;
    sub.listeners = sub.listeners.filter((l) => l !== fn);
    if (sub.listeners.length) return;
    subscriptions.delete(key);
    if (socket?.connected) socket.emit('unsubscribe', sub.unsubscribeBody);
  };
}

/**
 * Follows a run: every stored event after seq 0, then the live ones, each once and in seq order
 * (the server guarantees it; after a reconnect it resumes after the last seq seen). Answers a stop function.
 */
export function followRun(runId, fn) {
  const sub = {
    lastSeq: 0,
    /** Every event of the run so far, for a listener that joins later. */
    delivered: [],
    listeners: [fn],
    body: () => ({ runId, afterSeq: sub.lastSeq }),
    unsubscribeBody: { runId },
    // Only the next seq: a run's seqs have no gaps and its room brings them in order, while the same
    // run.status may arrive earlier through a workcell's room (and would otherwise skip the ones
    // between). machine.status names the run holding the machine but has no seq: not a run event.
    wants: (ev) => ev.runId === runId && ev.seq === sub.lastSeq + 1,
    deliver(ev) {
      sub.lastSeq = ev.seq;
      sub.delivered.push(ev);
      for (const l of sub.listeners) l(ev);
    },
  };
  return follow(`run:${runId}`, sub);
}

/**
 * Follows a workcell: the status of each of its machines, then their changes, and `run.status`
 * events (those of its runs come through its room; a run followed on the same page may bring
 * them twice, so handlers set state rather than count).
 */
export function followWorkcell(workcellId, fn) {
  const sub = {
    listeners: [fn],
    body: () => ({ workcellId }),
    unsubscribeBody: { workcellId },
    wants: (ev) => (ev.type === 'machine.status' && ev.payload?.workcellId === workcellId) || ev.type === 'run.status',
    deliver(ev) {
      for (const l of sub.listeners) l(ev);
    },
  };
  return follow(`workcell:${workcellId}`, sub);
}

function closeEvents() {
  subscriptions.clear();
  socket?.disconnect();
  socket = null;
}
