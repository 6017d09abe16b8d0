import { MigrationInterface, QueryRunner } from "typeorm";

export class Schedules1795333426310 implements MigrationInterface {
    name = 'Schedules1795333426310'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "schedules" (
                "id" uuid NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "properties" jsonb NOT NULL DEFAULT '{}',
                "name" character varying(150) NOT NULL,
                "cron" character varying(100) NOT NULL,
                "timezone" character varying(64) NOT NULL DEFAULT 'UTC',
                "protocolId" uuid NOT NULL,
                "parameters" jsonb NOT NULL DEFAULT '{}',
                "assets" jsonb NOT NULL DEFAULT '{}',
                "workcellId" uuid,
                "priority" integer NOT NULL DEFAULT '0',
                "paused" boolean NOT NULL DEFAULT false,
                "lastRunAt" TIMESTAMP WITH TIME ZONE,
                "lastRunId" uuid,
                "lastError" jsonb,
                "createdBy" character varying(150) NOT NULL,
                CONSTRAINT "PK_7e33fc2ea755a5765e3564e66dd" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_schedules_name" ON "schedules" ("name")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_schedules_protocol" ON "schedules" ("protocolId")
        `);
        await queryRunner.query(`
            ALTER TABLE "runs"
            ADD "scheduleId" uuid
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_runs_schedule_created" ON "runs" ("scheduleId", "createdAt")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."IDX_runs_schedule_created"
        `);
        await queryRunner.query(`
            ALTER TABLE "runs" DROP COLUMN "scheduleId"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_schedules_protocol"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_schedules_name"
        `);
        await queryRunner.query(`
            DROP TABLE "schedules"
        `);
    }

}
