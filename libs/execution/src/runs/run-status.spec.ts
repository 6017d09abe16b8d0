import { describe, expect, it } from '@jest/globals';
import { AppException } from '@praxis/common';
import { ACTION_TARGETS, actionTarget, assertTransition, canTransition, isTerminal, RUN_TRANSITIONS, RunStatus, TERMINAL_STATUSES } from './run-status.js';

describe('run status transitions', () => {
  it('ends nowhere from a terminal status and reaches every terminal status from running', () => {
    for (const s of TERMINAL_STATUSES) expect(RUN_TRANSITIONS[s]).toEqual([]);
    for (const s of [RunStatus.Completed, RunStatus.Failed, RunStatus.Interrupted]) expect(canTransition(RunStatus.Running, s)).toBe(true);
    expect(canTransition(RunStatus.Running, RunStatus.Cancelled)).toBe(false); // through canceling
    expect(isTerminal(RunStatus.Paused)).toBe(false);
  });

  it('answers every action target with a legal transition', () => {
    for (const [, targets] of Object.entries(ACTION_TARGETS)) {
      for (const [from, to] of Object.entries(targets)) expect(canTransition(from as RunStatus, to!)).toBe(true);
    }
  });

  it('refuses illegal moves and actions with a 409 naming the status', () => {
    expect(() => assertTransition('r1', RunStatus.Completed, RunStatus.Running)).toThrow(AppException);
    try {
      actionTarget('r1', 'resume', RunStatus.Running);
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(AppException);
      expect((e as AppException).status).toBe(409);
      expect((e as AppException).message).toContain('running');
    }
    expect(actionTarget('r1', 'cancel', RunStatus.Queued)).toBe(RunStatus.Cancelled);
    expect(actionTarget('r1', 'pause', RunStatus.Running)).toBe(RunStatus.Pausing);
  });
});
