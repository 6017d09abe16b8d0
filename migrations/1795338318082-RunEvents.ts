import { MigrationInterface, QueryRunner } from "typeorm";

export class RunEvents1795338318082 implements MigrationInterface {
    name = 'RunEvents1795338318082'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "run_events" (
                "runId" uuid NOT NULL,
                "seq" integer NOT NULL,
                "type" character varying(40) NOT NULL,
                "at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "payload" jsonb NOT NULL,
                CONSTRAINT "PK_b3b2b3927bf54dcf9c9b3f6d1a4" PRIMARY KEY ("runId", "seq")
            )
        `);
        await queryRunner.query(`
            ALTER TABLE "runs"
            ADD "lastEventSeq" integer NOT NULL DEFAULT '0'
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "runs" DROP COLUMN "lastEventSeq"
        `);
        await queryRunner.query(`
            DROP TABLE "run_events"
        `);
    }

}
