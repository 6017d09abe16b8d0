import { MigrationInterface, QueryRunner } from "typeorm";

export class RunTraceAndEventBatch1795347988537 implements MigrationInterface {
    name = 'RunTraceAndEventBatch1795347988537'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "runs"
            ADD "traceId" character varying(128)
        `);
        await queryRunner.query(`
            ALTER TABLE "runs"
            ADD "lastEventBatch" uuid
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "runs" DROP COLUMN "lastEventBatch"
        `);
        await queryRunner.query(`
            ALTER TABLE "runs" DROP COLUMN "traceId"
        `);
    }

}
