/** What the dispatcher knows about one run event when it writes the email. */
export interface RunEvent {
  transitionId: string;
  runId: string;
  from: string | null;
  to: string;
  actor: string;
  /** The transition's reason: the prompt when the run waits for input, the error message when it failed. */
  reason: string | null;
  at: Date;
  protocolId: string;
  protocolName: string;
  protocolVersion: string;
  workcellId: string;
  workcellName: string | null;
  error: { name: string; message: string; step?: { seq: number; name: string } | null } | null;
  createdBy: string;
}

const VERB: Record<string, string> = {
  completed: 'completed',
  failed: 'failed',
  cancelled: 'was cancelled',
  interrupted: 'was interrupted',
  awaiting_input: 'is waiting for input',
};

/** Subject and plain-text body of the email for one run event; `apiUrl` is the API's public base. */
export function renderRunEmail(e: RunEvent, rule: { id: string; name: string }, apiUrl: string): { subject: string; text: string } {
  const verb = VERB[e.to] ?? `is ${e.to}`;
  const workcell = e.workcellName ?? e.workcellId;
  const runUrl = `${apiUrl}/api/v1/runs/${e.runId}`;
  // The id's tail is its random part (the head is a timestamp, shared by runs started together).
  const subject = `[Praxis] ${e.protocolName} ${verb} on ${workcell} (run ${e.runId.slice(-8)})`;
  const lines = [`Run ${e.runId} of ${e.protocolName} ${e.protocolVersion} on workcell ${workcell} ${verb}.`, ''];
  if (e.to === 'awaiting_input') {
    lines.push(`Prompt: ${e.reason ?? '(none)'}`, `Answer it: POST ${runUrl}/input`, '');
  } else if (e.error) {
    const step = e.error.step ? ` (in step ${e.error.step.seq} ${e.error.step.name})` : '';
    lines.push(`Error: ${e.error.name}: ${e.error.message}${step}`, '');
  } else if (e.reason) {
    lines.push(`Reason: ${e.reason}`, '');
  }
  lines.push(
    `Status:   ${e.to}${e.from ? ` (was ${e.from})` : ''} at ${e.at.toISOString()} by ${e.actor}`,
    `Run:      ${runUrl}`,
    `Run id:   ${e.runId}`,
    `Protocol: ${e.protocolName} ${e.protocolVersion} (definition ${e.protocolId})`,
    `Workcell: ${workcell} (${e.workcellId})`,
    `Started by: ${e.createdBy}`,
    '',
    `Sent by the Praxis notification rule "${rule.name}" (${rule.id}).`,
  );
  return { subject, text: lines.join('\n') + '\n' };
}

/** Wait before the attempt after `attempts` failed ones: base, 2×base, 4×base… capped. */
export function retryDelayMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}
