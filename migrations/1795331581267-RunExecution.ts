import { MigrationInterface, QueryRunner } from "typeorm";

export class RunExecution1795331581267 implements MigrationInterface {
    name = 'RunExecution1795331581267'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "decks"
            ADD "state" jsonb
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "decks" DROP COLUMN "state"
        `);
    }

}
