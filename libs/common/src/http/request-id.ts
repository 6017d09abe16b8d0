import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
const SAFE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * The request id: the caller's `X-Request-Id` when it is a sane token, otherwise a new UUID.
 * It is echoed back in the `X-Request-Id` header and is the `traceId` of any error envelope.
 */
export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const existing = (req as IncomingMessage & { id?: unknown }).id;
  if (typeof existing === 'string') return existing;
  const incoming = req.headers[REQUEST_ID_HEADER];
  const id = typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
  (req as IncomingMessage & { id?: string }).id = id;
  if (!res.headersSent) res.setHeader('X-Request-Id', id);
  return id;
}
