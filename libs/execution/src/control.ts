// How the API and the workers talk about live runs, through Redis: operator actions and answers to
// prompts are published on one channel; the worker executing the run applies them. An answer to a
// prompt gets a reply (accepted, or the fields that are wrong) on a per-request list.

export const RUN_CONTROL_CHANNEL = 'praxis:runs:control';

export type RunControlMessage =
  | { runId: string; action: 'pause' | 'resume' | 'cancel'; reason?: string }
  | { runId: string; action: 'input'; values: Record<string, unknown>; inputId: string; replyKey: string };

export type InputReply = { ok: true } | { ok: false; issues: Array<{ field: string; message: string }> } | { ok: false; conflict: string };

/** The run state hash (PraxisState): one JSON value per field. Kept after the run ends. */
export const runStateKey = (runId: string): string => `praxis:run:${runId}:state`;

export const inputReplyKey = (requestId: string): string => `praxis:run-input-reply:${requestId}`;
