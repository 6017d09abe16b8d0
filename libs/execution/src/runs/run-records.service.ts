import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AppException, ErrorCode, type Page } from '@praxis/common';
import { paginate } from '@praxis/database';
import { RedisService } from '@praxis/redis';
import { MoreThan, Repository } from 'typeorm';
import { inputReplyKey, type InputReply, RUN_CONTROL_CHANNEL, runStateKey, type RunControlMessage } from '../control.js';
import { AssetLockManager } from '../locks/asset-lock-manager.js';
import type { ListOutputsQueryDto, RunCallDto, RunCommandPageDto } from './run-records.dto.js';
import { Reservation, RunCall, RunCommand, RunOutput } from './run-log.entity.js';
import { Run } from './run.entity.js';
import { RunStatus } from './run-status.js';

/** How long the API waits for the worker to take an answer to a prompt. */
const INPUT_REPLY_TIMEOUT_S = 10;

/** Reads of a run's records (call tree, command log, state, outputs), prompt answers and reservations. */
@Injectable()
export class RunRecordsService {
  constructor(
    @InjectRepository(Run) private readonly runs: Repository<Run>,
    @InjectRepository(RunCall) private readonly calls: Repository<RunCall>,
    @InjectRepository(RunCommand) private readonly commands: Repository<RunCommand>,
    @InjectRepository(RunOutput) private readonly outputs: Repository<RunOutput>,
    @InjectRepository(Reservation) private readonly reservations: Repository<Reservation>,
    private readonly redis: RedisService,
    private readonly locks: AssetLockManager,
  ) {}

  private async run(id: string): Promise<Run> {
    const r = await this.runs.findOneBy({ id });
    if (!r) throw AppException.notFound('Run', id);
    return r;
  }

  async callTree(runId: string): Promise<RunCallDto[]> {
    await this.run(runId);
    const rows = await this.calls.find({ where: { runId }, order: { seq: 'ASC' } });
    const depth = new Map<number, number>();
    return rows.map((c) => {
      const d = c.parentSeq === null ? 0 : (depth.get(c.parentSeq) ?? 0) + 1;
      depth.set(c.seq, d);
      return { seq: c.seq, parentSeq: c.parentSeq, depth: d, name: c.name, status: c.status, args: c.args, result: c.result ?? null, error: c.error, stateDiff: c.stateDiff, startedAt: c.startedAt, endedAt: c.endedAt, durationMs: c.durationMs };
    });
  }

  async commandLog(runId: string, after = 0, limit = 100): Promise<RunCommandPageDto> {
    await this.run(runId);
    const rows = await this.commands.find({ where: { runId, seq: MoreThan(after) }, order: { seq: 'ASC' }, take: limit + 1 });
    const page = rows.slice(0, limit);
    return {
      items: page.map((c) => ({ seq: c.seq, stepSeq: c.stepSeq, machineId: c.machineId, machine: c.machine, command: c.command, args: c.args, result: c.result ?? null, error: c.error, durationMs: c.durationMs, startedAt: c.startedAt, at: c.at })),
      nextCursor: rows.length > limit ? page[page.length - 1]!.seq : null,
    };
  }

  async state(runId: string): Promise<Record<string, unknown>> {
    await this.run(runId);
    const raw = await this.redis.client.hgetall(runStateKey(runId));
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as unknown]));
  }

  listOutputs(q: ListOutputsQueryDto): Promise<Page<RunOutput>> {
    const qb = this.outputs.createQueryBuilder('o');
    if (q.type) qb.andWhere('o.type = :type', { type: q.type });
    if (q.runId) qb.andWhere('o.runId = :runId', { runId: q.runId });
    if (q.protocol) qb.andWhere('o.protocolName = :protocol', { protocol: q.protocol });
    if (q.resource) qb.andWhere('o.resource = :resource', { resource: q.resource });
    if (q.name) qb.andWhere('o.name = :name', { name: q.name });
    return paginate(qb, q, { sortable: ['at', 'name', 'type'], defaultSort: 'at', createdColumn: 'at' });
  }

  async runOutputs(runId: string): Promise<RunOutput[]> {
    await this.run(runId);
    return this.outputs.find({ where: { runId }, order: { at: 'ASC', id: 'ASC' } });
  }

  /**
   * Answers the run's pending prompt: the worker checks the values against the prompt's fields
   * (400 naming the field) and resumes the run (202).
   */
  async answer(runId: string, values: Record<string, unknown>): Promise<void> {
    const run = await this.run(runId);
    if (run.status !== RunStatus.AwaitingInput || !run.pendingInput) {
      throw new AppException(ErrorCode.CONFLICT, `Run ${runId} is ${run.status}: it is not waiting for input`, { status: run.status });
    }
    const replyKey = inputReplyKey(randomUUID());
    const msg: RunControlMessage = { runId, action: 'input', values, inputId: run.pendingInput.id, replyKey };
    const listener = this.redis.client.duplicate();
    try {
      const receivers = await this.redis.client.publish(RUN_CONTROL_CHANNEL, JSON.stringify(msg));
      if (!receivers) throw new AppException(ErrorCode.SERVICE_UNAVAILABLE, 'No worker is listening; the answer was not delivered');
      const got = await listener.blpop(replyKey, INPUT_REPLY_TIMEOUT_S);
      if (!got) throw new AppException(ErrorCode.SERVICE_UNAVAILABLE, `The worker running ${runId} did not take the answer within ${INPUT_REPLY_TIMEOUT_S} s`);
      const reply = JSON.parse(got[1]) as InputReply;
      if (reply.ok) return;
      if ('issues' in reply) throw AppException.validation(reply.issues.map((i) => ({ field: `values.${i.field}`, message: `values.${i.field}: ${i.message}` })));
      throw new AppException(ErrorCode.CONFLICT, reply.conflict);
    } finally {
      listener.disconnect();
    }
  }

  async listReservations(): Promise<Array<Reservation & { lockTtlMs: number | null }>> {
    const rows = await this.reservations.find({ order: { acquiredAt: 'ASC' } });
    const held = new Map((await this.locks.held()).map((h) => [h.assetId, h.ttlMs]));
    return rows.map((r) => Object.assign(r, { lockTtlMs: held.get(r.assetId) ?? null }));
  }

  /** Admin override: frees an asset whatever holds it (its lock and its reservation row). */
  async forceRelease(assetId: string, force: boolean): Promise<{ formerRunId: string | null }> {
    if (!force) throw AppException.validation([{ field: 'force', message: 'force: pass force=true to release an asset another run holds' }]);
    const row = await this.reservations.findOneBy({ assetId });
    const holder = await this.locks.forceRelease(assetId);
    if (!row && !holder) throw AppException.notFound('Reservation', assetId);
    await this.reservations.delete({ assetId });
    return { formerRunId: row?.runId ?? holder };
  }
}
