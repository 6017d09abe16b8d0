import { MigrationInterface, QueryRunner } from "typeorm";

export class Protocols1795330015515 implements MigrationInterface {
    name = 'Protocols1795330015515'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "protocol_sources" (
                "id" uuid NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "properties" jsonb NOT NULL DEFAULT '{}',
                "name" character varying(150) NOT NULL,
                "kind" character varying(20) NOT NULL,
                "path" text,
                "url" text,
                "ref" character varying(200),
                "revision" character varying(64),
                "lastSyncedAt" TIMESTAMP WITH TIME ZONE,
                "lastSyncReport" jsonb,
                CONSTRAINT "PK_c3818614aee7b1f02c89be45ce4" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "UQ_protocol_sources_name" ON "protocol_sources" ("name")
        `);
        await queryRunner.query(`
            CREATE TABLE "protocol_definitions" (
                "id" uuid NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "properties" jsonb NOT NULL DEFAULT '{}',
                "sourceId" uuid NOT NULL,
                "name" character varying(100) NOT NULL,
                "version" character varying(64) NOT NULL,
                "description" text,
                "category" character varying(100),
                "tags" text array NOT NULL DEFAULT '{}',
                "parametersSchema" jsonb NOT NULL,
                "assets" jsonb NOT NULL,
                "deckLayout" jsonb,
                "setupInstructions" jsonb NOT NULL DEFAULT '[]',
                "file" text NOT NULL,
                "exportName" character varying(200) NOT NULL,
                "revision" character varying(64) NOT NULL,
                "codeHash" character varying(64) NOT NULL,
                "code" text NOT NULL,
                "current" boolean NOT NULL DEFAULT true,
                CONSTRAINT "PK_33efd227f8aaf54a107c163ee36" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_protocol_definitions_source" ON "protocol_definitions" ("sourceId")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_protocol_definitions_name" ON "protocol_definitions" ("name", "createdAt")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "UQ_protocol_definitions_revision" ON "protocol_definitions" ("sourceId", "name", "version", "codeHash")
        `);
        await queryRunner.query(`
            ALTER TABLE "protocol_definitions"
            ADD CONSTRAINT "FK_5bda10bcae9184ae29325e11853" FOREIGN KEY ("sourceId") REFERENCES "protocol_sources"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "protocol_definitions" DROP CONSTRAINT "FK_5bda10bcae9184ae29325e11853"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."UQ_protocol_definitions_revision"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_protocol_definitions_name"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_protocol_definitions_source"
        `);
        await queryRunner.query(`
            DROP TABLE "protocol_definitions"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."UQ_protocol_sources_name"
        `);
        await queryRunner.query(`
            DROP TABLE "protocol_sources"
        `);
    }

}
