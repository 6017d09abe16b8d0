import { MigrationInterface, QueryRunner } from "typeorm";

export class RunTraceId1795347304667 implements MigrationInterface {
    name = 'RunTraceId1795347304667'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "runs"
            ADD "traceId" character varying(128)
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "runs" DROP COLUMN "traceId"
        `);
    }

}
