import { MACHINE_STATUS_RETURNING, type MachineStatusRow } from '@praxis/redis';
import type { Queryable } from '../events/run-event-log.js';

/**
 * Frees in the database what runs held: their reservation rows, their machines (available again)
 * and their resources. The one place this is done, by the worker when a run ends and by the
 * recovery sweep for runs whose worker could not. Redis locks are the caller's (they are not in
 * the transaction). Answers the machines changed, for their `machine.status` events.
 */
export async function freeRunHoldings(db: Queryable, runIds: string[]): Promise<{ reservations: Array<{ assetId: string; runId: string }>; machines: MachineStatusRow[] }> {
  // DELETE / UPDATE … RETURNING answer [rows, count] through TypeORM.
  const [reservations] = (await db.query('DELETE FROM reservations WHERE "runId" = ANY($1::uuid[]) RETURNING "assetId", "runId"', [runIds])) as [Array<{ assetId: string; runId: string }>];
  const [machines] = (await db.query(`UPDATE machines SET status = 'available', "currentRunId" = NULL WHERE "currentRunId" = ANY($1::uuid[]) RETURNING ${MACHINE_STATUS_RETURNING}`, [runIds])) as [MachineStatusRow[]];
  await db.query('UPDATE resources SET "currentRunId" = NULL WHERE "currentRunId" = ANY($1::uuid[])', [runIds]);
  return { reservations, machines };
}
