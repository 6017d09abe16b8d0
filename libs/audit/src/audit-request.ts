import type { AuthPrincipal } from '@praxis/auth';
import { highestRole } from '@praxis/auth';
import { errorAnswer, requestIdFor } from '@praxis/common';
import type { Request, Response } from 'express';
import { summarizeBody } from './audit-summary.js';
import type { AuditEntry } from './audit-entry.entity.js';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const API = '/api/v1/';
/** Set on a request once the interceptor has taken charge of its audit entry. */
const AUDITED = Symbol('praxis.audited');
const ARRIVED = Symbol('praxis.arrivedAt');

type AuditedRequest = Request & { [AUDITED]?: boolean; [ARRIVED]?: Date; user?: AuthPrincipal };

/** Every state-changing request under the API prefix. */
export function isAuditable(req: Request): boolean {
  return WRITES.has(req.method) && (req.originalUrl ?? req.url).startsWith(API);
}

export function markArrived(req: Request): void {
  (req as AuditedRequest)[ARRIVED] ??= new Date();
}

export function markAudited(req: Request): void {
  (req as AuditedRequest)[AUDITED] = true;
}

export function isAudited(req: Request): boolean {
  return (req as AuditedRequest)[AUDITED] === true;
}

/** The status and error code the exception filter answers for `err` (its own mapping). */
export function errorOutcome(err: unknown): { status: number; errorCode: string } {
  const { status, code } = errorAnswer(err);
  return { status, errorCode: code };
}

/** `runs` + the id for `/api/v1/runs/:id/actions`; `protocols/sources` + the created id for `POST /api/v1/protocols/sources`. */
export function targetOf(route: string, params: Record<string, string | string[]>, created: unknown): { targetType: string | null; targetId: string | null } {
  const segments = route.slice(route.indexOf(API) === 0 ? API.length : 0).split('/').filter(Boolean);
  const firstParam = segments.findIndex((s) => s.startsWith(':'));
  const targetType = (firstParam === -1 ? segments : segments.slice(0, firstParam)).join('/') || null;
  if (firstParam !== -1) {
    const value = params[segments[firstParam]!.slice(1).replace(/\?$/, '')];
    return { targetType, targetId: typeof value === 'string' ? value.slice(0, 200) : null };
  }
  const id = created && typeof created === 'object' ? (created as { id?: unknown }).id : undefined;
  return { targetType, targetId: typeof id === 'string' ? id.slice(0, 200) : null };
}

/** The audit entry of a request as it ends. */
export function entryFor(
  req: Request,
  res: Response,
  outcome: { status: number; errorCode: string | null; created?: unknown },
): Omit<AuditEntry, 'id'> {
  const r = req as AuditedRequest;
  const path = (req.originalUrl ?? req.url).split('?')[0]!.slice(0, 1000);
  // Express sets req.route once a route matched; a request refused before that keeps its path.
  const route = ((req.route as { path?: unknown } | undefined)?.path as string | undefined) ?? path;
  const user = r.user;
  return {
    createdAt: r[ARRIVED] ?? new Date(),
    actorId: user ? (user.userId ?? user.subject).slice(0, 200) : null,
    actorUsername: user ? user.username.slice(0, 150) : null,
    actorRole: user ? (highestRole(user.roles) ?? null) : null,
    method: req.method,
    route: route.slice(0, 300),
    path,
    ...targetOf(route, req.params ?? {}, outcome.created),
    status: outcome.status,
    outcome: outcome.status < 400 ? 'success' : 'failure',
    errorCode: outcome.status < 400 ? null : outcome.errorCode,
    requestId: requestIdFor(req, res),
    ip: req.ip?.slice(0, 100) ?? null,
    summary: summarizeBody(req.body),
  };
}
