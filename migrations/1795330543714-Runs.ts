import { MigrationInterface, QueryRunner } from "typeorm";

export class Runs1795330543714 implements MigrationInterface {
    name = 'Runs1795330543714'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "runs" (
                "id" uuid NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "properties" jsonb NOT NULL DEFAULT '{}',
                "protocolId" uuid NOT NULL,
                "protocolName" character varying(100) NOT NULL,
                "protocolVersion" character varying(64) NOT NULL,
                "workcellId" uuid NOT NULL,
                "status" character varying(20) NOT NULL,
                "priority" integer NOT NULL DEFAULT '0',
                "parameters" jsonb NOT NULL,
                "assets" jsonb NOT NULL,
                "deckLayoutId" uuid,
                "scheduledAt" TIMESTAMP WITH TIME ZONE,
                "startedAt" TIMESTAMP WITH TIME ZONE,
                "endedAt" TIMESTAMP WITH TIME ZONE,
                "error" jsonb,
                "pendingInput" jsonb,
                "result" jsonb,
                "createdBy" character varying(150) NOT NULL,
                "workerId" character varying(200),
                CONSTRAINT "PK_46d6a1e257c38ba58f1a3c30836" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_runs_protocol" ON "runs" ("protocolId")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_runs_workcell_created" ON "runs" ("workcellId", "createdAt")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_runs_status_created" ON "runs" ("status", "createdAt")
        `);
        await queryRunner.query(`
            CREATE TABLE "run_transitions" (
                "id" uuid NOT NULL,
                "runId" uuid NOT NULL,
                "from" character varying(20),
                "to" character varying(20) NOT NULL,
                "actor" character varying(200) NOT NULL,
                "reason" text,
                "at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_fd33dc5bfd75b4259a0de31ff1a" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_run_transitions_run" ON "run_transitions" ("runId", "at")
        `);
        await queryRunner.query(`
            CREATE TABLE "run_calls" (
                "runId" uuid NOT NULL,
                "seq" integer NOT NULL,
                "parentSeq" integer,
                "name" character varying(200) NOT NULL,
                "status" character varying(20) NOT NULL,
                "args" jsonb NOT NULL,
                "result" jsonb,
                "error" jsonb,
                "stateDiff" jsonb,
                "startedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "endedAt" TIMESTAMP WITH TIME ZONE,
                "durationMs" double precision,
                CONSTRAINT "PK_d1ffa2e742c410a1328cb0c09d7" PRIMARY KEY ("runId", "seq")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "run_commands" (
                "runId" uuid NOT NULL,
                "seq" integer NOT NULL,
                "stepSeq" integer,
                "machineId" uuid,
                "machine" character varying(150) NOT NULL,
                "command" character varying(100) NOT NULL,
                "args" jsonb NOT NULL,
                "result" jsonb,
                "error" jsonb,
                "durationMs" double precision NOT NULL,
                "startedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_90be544f1782cfab6f0216848de" PRIMARY KEY ("runId", "seq")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_run_commands_machine_at" ON "run_commands" ("machine", "at")
        `);
        await queryRunner.query(`
            CREATE TABLE "run_outputs" (
                "id" uuid NOT NULL,
                "runId" uuid NOT NULL,
                "protocolName" character varying(100) NOT NULL,
                "name" character varying(200) NOT NULL,
                "type" character varying(100) NOT NULL,
                "value" jsonb NOT NULL,
                "resource" character varying(150),
                "stepSeq" integer,
                "at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_57a071423bd86248f068ea1b68b" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_run_outputs_type" ON "run_outputs" ("type", "at")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_run_outputs_run" ON "run_outputs" ("runId", "at")
        `);
        await queryRunner.query(`
            CREATE TABLE "reservations" (
                "assetId" uuid NOT NULL,
                "assetKind" character varying(20) NOT NULL,
                "assetName" character varying(150) NOT NULL,
                "runId" uuid NOT NULL,
                "acquiredAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_015624507541c86cd4d5064084e" PRIMARY KEY ("assetId")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_reservations_run" ON "reservations" ("runId")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."IDX_reservations_run"
        `);
        await queryRunner.query(`
            DROP TABLE "reservations"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_run_outputs_run"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_run_outputs_type"
        `);
        await queryRunner.query(`
            DROP TABLE "run_outputs"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_run_commands_machine_at"
        `);
        await queryRunner.query(`
            DROP TABLE "run_commands"
        `);
        await queryRunner.query(`
            DROP TABLE "run_calls"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_run_transitions_run"
        `);
        await queryRunner.query(`
            DROP TABLE "run_transitions"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_runs_status_created"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_runs_workcell_created"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_runs_protocol"
        `);
        await queryRunner.query(`
            DROP TABLE "runs"
        `);
    }

}
