import { describe, expect, it } from '@jest/globals';
import { uuidv7Floor } from './notification-dispatcher.service.js';
import { renderRunEmail, retryDelayMs, type RunEvent } from './notification-message.js';

const event: RunEvent = {
  transitionId: '01a20285-74f5-7660-ace2-26350d197f76',
  runId: '01a20285-74f5-7660-ace2-26350d197f75',
  from: 'running',
  to: 'failed',
  actor: 'worker:w1',
  reason: 'the plate is upside down',
  at: new Date('2026-01-02T03:04:05.000Z'),
  protocolId: '01a20285-0000-7000-8000-000000000001',
  protocolName: 'plate_replication',
  protocolVersion: '1.2.0',
  workcellId: '01a20285-0000-7000-8000-000000000002',
  workcellName: 'bench_a',
  error: { name: 'Error', message: 'the plate is upside down', step: { seq: 3, name: 'transfer' } },
  createdBy: 'user:ada',
};

describe('notification emails', () => {
  it('name the run, protocol, workcell, status and error, with a link', () => {
    const { subject, text } = renderRunEmail(event, { id: 'r1', name: 'failures' }, 'https://praxis.example');
    expect(subject).toBe('[Praxis] plate_replication failed on bench_a (run 0d197f75)');
    expect(text).toContain(`Run ${event.runId} of plate_replication 1.2.0 on workcell bench_a failed.`);
    expect(text).toContain('Error: Error: the plate is upside down (in step 3 transfer)');
    expect(text).toContain(`Run:      https://praxis.example/api/v1/runs/${event.runId}`);
    expect(text).toContain('Status:   failed (was running) at 2026-01-02T03:04:05.000Z by worker:w1');
    expect(text).toContain('notification rule "failures" (r1)');
  });

  it('carry the prompt of a run waiting for input, and how to answer it', () => {
    const { subject, text } = renderRunEmail({ ...event, to: 'awaiting_input', error: null, reason: 'Load the diluent' }, { id: 'r1', name: 'n' }, 'http://localhost:3000');
    expect(subject).toContain('is waiting for input');
    expect(text).toContain('Prompt: Load the diluent');
    expect(text).toContain(`Answer it: POST http://localhost:3000/api/v1/runs/${event.runId}/input`);
  });

  it('back off exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, 1000, 10_000))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('scan from the smallest UUIDv7 of a millisecond', () => {
    const ms = Date.parse('2026-01-02T03:04:05.678Z');
    const floor = uuidv7Floor(ms);
    expect(floor).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-0000-0000-000000000000$/);
    expect(parseInt(floor.replace(/-/g, '').slice(0, 12), 16)).toBe(ms);
  });
});
