// The run state machine: the one place a run's status may change. Every transition the engine or
// an operator makes goes through `assertTransition`; the API answers 409 naming the status for
// anything else (compare ExLabWizard's VALID_TRANSITIONS and Opentrons' run actions).
import { AppException, ErrorCode } from '@praxis/common';

export enum RunStatus {
  Scheduled = 'scheduled',
  Queued = 'queued',
  Preparing = 'preparing',
  Running = 'running',
  Pausing = 'pausing',
  Paused = 'paused',
  AwaitingInput = 'awaiting_input',
  Canceling = 'canceling',
  Cancelled = 'cancelled',
  Failed = 'failed',
  Interrupted = 'interrupted',
  Completed = 'completed',
}

/** Statuses in which a worker is executing the run. */
export const EXECUTING_STATUSES: readonly RunStatus[] = [RunStatus.Preparing, RunStatus.Running, RunStatus.Pausing, RunStatus.Paused, RunStatus.AwaitingInput, RunStatus.Canceling];

export const TERMINAL_STATUSES: readonly RunStatus[] = [RunStatus.Cancelled, RunStatus.Failed, RunStatus.Interrupted, RunStatus.Completed];

export const isTerminal = (s: RunStatus): boolean => TERMINAL_STATUSES.includes(s);

const S = RunStatus;
/** from → the statuses it may move to. */
export const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  [S.Scheduled]: [S.Queued, S.Canceling, S.Cancelled, S.Failed],
  [S.Queued]: [S.Preparing, S.Canceling, S.Cancelled, S.Failed, S.Interrupted],
  [S.Preparing]: [S.Running, S.Canceling, S.Failed, S.Interrupted],
  [S.Running]: [S.Pausing, S.Paused, S.AwaitingInput, S.Canceling, S.Completed, S.Failed, S.Interrupted],
  [S.Pausing]: [S.Paused, S.Running, S.Canceling, S.Completed, S.Failed, S.Interrupted],
  [S.Paused]: [S.Running, S.Canceling, S.Failed, S.Interrupted],
  [S.AwaitingInput]: [S.Running, S.Canceling, S.Failed, S.Interrupted],
  [S.Canceling]: [S.Cancelled, S.Failed, S.Interrupted],
  [S.Cancelled]: [],
  [S.Failed]: [],
  [S.Interrupted]: [],
  [S.Completed]: [],
};

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}

export type RunAction = 'pause' | 'resume' | 'cancel';

/** What an operator action asks for, by current status (absent: the action is not allowed now). */
export const ACTION_TARGETS: Readonly<Record<RunAction, Partial<Record<RunStatus, RunStatus>>>> = {
  pause: { [S.Running]: S.Pausing },
  resume: { [S.Paused]: S.Running, [S.Pausing]: S.Running },
  cancel: {
    [S.Scheduled]: S.Cancelled,
    [S.Queued]: S.Cancelled,
    [S.Preparing]: S.Canceling,
    [S.Running]: S.Canceling,
    [S.Pausing]: S.Canceling,
    [S.Paused]: S.Canceling,
    [S.AwaitingInput]: S.Canceling,
  },
};

export function assertTransition(runId: string, from: RunStatus, to: RunStatus): void {
  if (!canTransition(from, to)) {
    throw new AppException(ErrorCode.CONFLICT, `Run ${runId} is ${from}; it cannot become ${to}`, { status: from, requested: to });
  }
}

export function actionTarget(runId: string, action: RunAction, from: RunStatus): RunStatus {
  const to = ACTION_TARGETS[action][from];
  if (!to) throw new AppException(ErrorCode.CONFLICT, `Run ${runId} is ${from}: it cannot be ${action === 'pause' ? 'paused' : action === 'resume' ? 'resumed' : 'cancelled'} now`, { status: from, action });
  return to;
}
