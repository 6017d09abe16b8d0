import { MigrationInterface, QueryRunner } from "typeorm";

export class NamesWithoutWorkcell1795326044045 implements MigrationInterface {
    name = 'NamesWithoutWorkcell1795326044045'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE UNIQUE INDEX "UQ_resources_name_no_workcell" ON "resources" ("name")
            WHERE "workcellId" IS NULL
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "UQ_deck_layouts_name_no_workcell" ON "deck_layouts" ("name")
            WHERE "workcellId" IS NULL
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."UQ_deck_layouts_name_no_workcell"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."UQ_resources_name_no_workcell"
        `);
    }

}
