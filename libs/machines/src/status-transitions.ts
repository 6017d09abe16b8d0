import { AppException } from '@praxis/common';
import { MachineStatus } from './machine.entity.js';

/** The statuses an operator may set through `PATCH /machines/{id}/status`. */
export const OPERATOR_STATUSES: readonly MachineStatus[] = [MachineStatus.Available, MachineStatus.Maintenance, MachineStatus.Offline];

/**
 * The operator-driven transitions, the one place they are defined: from each status, the statuses
 * an operator may move a machine to. `in_use` is entered and left only by the execution engine
 * (`MachinesService.markInUse` / `release`); `error` and `initializing` are set by the drivers.
 */
export const OPERATOR_TRANSITIONS: Readonly<Record<MachineStatus, readonly MachineStatus[]>> = {
  [MachineStatus.Available]: [MachineStatus.Maintenance, MachineStatus.Offline],
  [MachineStatus.Maintenance]: [MachineStatus.Available, MachineStatus.Offline],
  [MachineStatus.Offline]: [MachineStatus.Available, MachineStatus.Maintenance],
  [MachineStatus.Error]: [MachineStatus.Available, MachineStatus.Maintenance, MachineStatus.Offline],
  [MachineStatus.Initializing]: [MachineStatus.Offline],
  [MachineStatus.InUse]: [],
};

/**
 * Throws a 409 unless an operator may move a machine from `from` to `to`. Setting the status a
 * machine already has (an operator status) is allowed: it only updates the reason.
 */
export function assertOperatorTransition(from: MachineStatus, to: MachineStatus): void {
  if (to === MachineStatus.InUse || from === MachineStatus.InUse) {
    throw AppException.conflict(
      from === MachineStatus.InUse
        ? `The machine is in_use by a run; in_use is set and cleared by the execution engine, not through this route`
        : `in_use is set by the execution engine when a run takes the machine, not through this route`,
      { from, to },
    );
  }
  if (!OPERATOR_STATUSES.includes(to)) {
    throw AppException.conflict(`${to} is not an operator-driven status; operators set ${OPERATOR_STATUSES.join(', ')}`, { from, to });
  }
  if (from === to) return;
  const allowed = OPERATOR_TRANSITIONS[from];
  if (!allowed.includes(to)) {
    throw AppException.conflict(
      `A machine cannot go from ${from} to ${to}${allowed.length ? ` (from ${from}: ${allowed.join(', ')})` : ''}`,
      { from, to, allowed },
    );
  }
}
