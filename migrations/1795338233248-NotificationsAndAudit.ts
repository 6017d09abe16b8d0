import { MigrationInterface, QueryRunner } from "typeorm";

export class NotificationsAndAudit1795338233248 implements MigrationInterface {
    name = 'NotificationsAndAudit1795338233248'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "notification_rules" (
                "id" uuid NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "properties" jsonb NOT NULL DEFAULT '{}',
                "name" character varying(150) NOT NULL,
                "events" text array NOT NULL,
                "protocolName" character varying(100),
                "workcellId" uuid,
                "recipients" text array NOT NULL,
                "enabled" boolean NOT NULL DEFAULT true,
                "createdBy" character varying(150) NOT NULL,
                CONSTRAINT "PK_eb87ba4f7f01eabf003fcf4e65c" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_notification_rules_name" ON "notification_rules" ("name")
        `);
        await queryRunner.query(`
            CREATE TABLE "notified_transitions" (
                "transitionId" uuid NOT NULL,
                "runId" uuid NOT NULL,
                "status" character varying(20) NOT NULL,
                "at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "deliveries" integer NOT NULL,
                "dispatchedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_b0650d2e819f93f82e40db2e21f" PRIMARY KEY ("transitionId")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_notified_transitions_at" ON "notified_transitions" ("at")
        `);
        await queryRunner.query(`
            CREATE TABLE "notification_deliveries" (
                "id" uuid NOT NULL,
                "transitionId" uuid NOT NULL,
                "ruleId" uuid,
                "runId" uuid NOT NULL,
                "event" character varying(20) NOT NULL,
                "recipients" text array NOT NULL,
                "subject" text NOT NULL,
                "body" text NOT NULL,
                "status" character varying(10) NOT NULL,
                "attempts" integer NOT NULL DEFAULT '0',
                "nextAttemptAt" TIMESTAMP WITH TIME ZONE,
                "lastError" text,
                "attemptErrors" jsonb NOT NULL DEFAULT '[]',
                "sentAt" TIMESTAMP WITH TIME ZONE,
                "messageId" character varying(500),
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_81daeff81f237bd384f7cfc4a4c" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_notification_deliveries_created" ON "notification_deliveries" ("createdAt")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_notification_deliveries_run" ON "notification_deliveries" ("runId", "createdAt")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_notification_deliveries_due" ON "notification_deliveries" ("status", "nextAttemptAt")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_notification_deliveries_event_rule" ON "notification_deliveries" ("transitionId", "ruleId")
        `);
        await queryRunner.query(`
            CREATE TABLE "audit_entries" (
                "id" uuid NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "actorId" character varying(200),
                "actorUsername" character varying(150),
                "actorRole" character varying(20),
                "method" character varying(10) NOT NULL,
                "route" character varying(300) NOT NULL,
                "path" character varying(1000) NOT NULL,
                "targetType" character varying(100),
                "targetId" character varying(200),
                "status" integer NOT NULL,
                "outcome" character varying(10) NOT NULL,
                "errorCode" character varying(50),
                "requestId" character varying(128) NOT NULL,
                "ip" character varying(100),
                "summary" jsonb,
                CONSTRAINT "PK_6b1623bcad4d04530b76548d619" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_audit_entries_target_created" ON "audit_entries" ("targetType", "targetId", "createdAt")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_audit_entries_actor_created" ON "audit_entries" ("actorId", "createdAt")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_audit_entries_created" ON "audit_entries" ("createdAt")
        `);
        await queryRunner.query(`
            ALTER TABLE "notification_deliveries"
            ADD CONSTRAINT "FK_d1e17bf6820f18678c9f5a6ae33" FOREIGN KEY ("ruleId") REFERENCES "notification_rules"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "notification_deliveries" DROP CONSTRAINT "FK_d1e17bf6820f18678c9f5a6ae33"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_audit_entries_created"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_audit_entries_actor_created"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_audit_entries_target_created"
        `);
        await queryRunner.query(`
            DROP TABLE "audit_entries"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_notification_deliveries_event_rule"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_notification_deliveries_due"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_notification_deliveries_run"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_notification_deliveries_created"
        `);
        await queryRunner.query(`
            DROP TABLE "notification_deliveries"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_notified_transitions_at"
        `);
        await queryRunner.query(`
            DROP TABLE "notified_transitions"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_notification_rules_name"
        `);
        await queryRunner.query(`
            DROP TABLE "notification_rules"
        `);
    }

}
