/** Stack frames, source locations and file paths. */
export const STACK_TRACE = /\bat [\w$.<>]+ \(|\bat (file:|\/)|\.(ts|js|mjs|cjs):\d+|\/(work|home|usr|app|srv|tmp)\/|node_modules/;
/** What a database driver's error would carry. */
export const SQL_TEXT = /\b(SELECT|INSERT INTO|UPDATE "?\w+"? SET|DELETE FROM)\b|relation "|violates|syntax error at|QueryFailedError|duplicate key|invalid byte sequence|invalid input syntax|pg_/;

export interface HttpAnswer {
  status: number;
  body: any;
  text: string;
}

/**
 * What is wrong with an answer, as readable lines (empty when all is well): a 5xx, an error
 * that is not exactly the envelope `{ error: { code, message, details?, traceId } }`, a status
 * or code other than expected, and any stack trace, file path or SQL in an error body.
 */
export function answerProblems(what: string, res: HttpAnswer, expected: { status?: number; code?: string } = {}): string[] {
  const problems: string[] = [];
  const text = res.text ?? '';
  const excerpt = text.slice(0, 300);
  if (expected.status !== undefined && res.status !== expected.status) problems.push(`${what}: expected ${expected.status}, got ${res.status} ${excerpt}`);
  else if (res.status >= 500) problems.push(`${what}: got ${res.status} ${excerpt}`);
  if (res.status >= 400) {
    const error = res.body?.error;
    const keys = error && typeof error === 'object' ? Object.keys(error) : [];
    const isEnvelope =
      Object.keys(res.body ?? {}).join() === 'error' &&
      keys.every((k) => ['code', 'message', 'details', 'traceId'].includes(k)) &&
      typeof error.code === 'string' &&
      typeof error.message === 'string' &&
      typeof error.traceId === 'string';
    if (!isEnvelope) problems.push(`${what}: not the error envelope: ${excerpt}`);
    else if (expected.code !== undefined && error.code !== expected.code) problems.push(`${what}: expected ${expected.code}, got ${error.code}: ${error.message}`);
    if (STACK_TRACE.test(text)) problems.push(`${what}: a stack trace or file path in the body: ${excerpt}`);
    if (SQL_TEXT.test(text)) problems.push(`${what}: SQL in the body: ${excerpt}`);
  }
  return problems;
}
