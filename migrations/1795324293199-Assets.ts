import { MigrationInterface, QueryRunner } from "typeorm";

export class Assets1795324293199 implements MigrationInterface {
    name = 'Assets1795324293199'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "workcells" (
                "id" uuid NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "properties" jsonb NOT NULL DEFAULT '{}',
                "name" character varying(100) NOT NULL,
                "description" text,
                "location" character varying(200),
                CONSTRAINT "PK_b2278342d3d829d3420d51ceeb1" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "UQ_workcells_name" ON "workcells" ("name")
        `);
        await queryRunner.query(`
            CREATE TABLE "resource_definitions" (
                "id" uuid NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "properties" jsonb NOT NULL DEFAULT '{}',
                "name" character varying(150) NOT NULL,
                "category" character varying(50) NOT NULL,
                "vendor" character varying(100) NOT NULL,
                "model" character varying(150),
                "description" text NOT NULL DEFAULT '',
                "itemCount" integer NOT NULL DEFAULT '1',
                "plateType" character varying(20),
                "wellVolumeUl" double precision,
                "tipVolumeUl" double precision,
                "dimensions" jsonb NOT NULL,
                "consumable" boolean NOT NULL DEFAULT true,
                "layout" jsonb NOT NULL,
                "source" character varying(10) NOT NULL DEFAULT 'catalog',
                CONSTRAINT "PK_b62fa6e0c1e13b676e2b219ebc7" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "UQ_resource_definitions_name" ON "resource_definitions" ("name")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_resource_definitions_category_vendor" ON "resource_definitions" ("category", "vendor")
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."resource_status" AS ENUM(
                'available_in_storage',
                'available_on_deck',
                'in_use',
                'empty',
                'partially_filled',
                'full',
                'needs_refill',
                'to_be_disposed',
                'disposed',
                'to_be_cleaned',
                'cleaned',
                'error',
                'unknown'
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "resources" (
                "id" uuid NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "properties" jsonb NOT NULL DEFAULT '{}',
                "name" character varying(150) NOT NULL,
                "definitionId" uuid NOT NULL,
                "category" character varying(50) NOT NULL,
                "workcellId" uuid,
                "parentId" uuid,
                "location" jsonb,
                "status" "public"."resource_status" NOT NULL DEFAULT 'available_in_storage',
                "currentRunId" uuid,
                "state" jsonb,
                CONSTRAINT "PK_632484ab9dff41bba94f9b7c85e" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_resources_workcell" ON "resources" ("workcellId")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_resources_parent" ON "resources" ("parentId")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_resources_category_created" ON "resources" ("category", "createdAt")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "UQ_resources_workcell_name" ON "resources" ("workcellId", "name")
        `);
        await queryRunner.query(`
            CREATE TABLE "deck_types" (
                "id" uuid NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "properties" jsonb NOT NULL DEFAULT '{}',
                "name" character varying(100) NOT NULL,
                "manufacturer" character varying(100) NOT NULL,
                "model" character varying(100) NOT NULL,
                "positionKind" character varying(10) NOT NULL,
                "positions" jsonb NOT NULL,
                "dimensions" jsonb NOT NULL,
                "layout" jsonb NOT NULL,
                "source" character varying(10) NOT NULL DEFAULT 'catalog',
                CONSTRAINT "PK_c2ffb2bb1e3b18b949e46cc14ad" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "UQ_deck_types_name" ON "deck_types" ("name")
        `);
        await queryRunner.query(`
            CREATE TABLE "deck_layouts" (
                "id" uuid NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "properties" jsonb NOT NULL DEFAULT '{}',
                "name" character varying(150) NOT NULL,
                "description" text,
                "deckTypeId" uuid NOT NULL,
                "workcellId" uuid,
                "placements" jsonb NOT NULL,
                CONSTRAINT "PK_c51030330627bf91dc428005579" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_deck_layouts_deck_type" ON "deck_layouts" ("deckTypeId")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "UQ_deck_layouts_workcell_name" ON "deck_layouts" ("workcellId", "name")
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."machine_category" AS ENUM(
                'LiquidHandler',
                'PlateReader',
                'HeaterShaker',
                'Shaker',
                'Incubator',
                'Scale',
                'Pump',
                'Centrifuge',
                'Arm',
                'TemperatureController',
                'Thermocycler',
                'Sealer',
                'Other'
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "machine_definitions" (
                "id" uuid NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "properties" jsonb NOT NULL DEFAULT '{}',
                "name" character varying(150) NOT NULL,
                "category" "public"."machine_category" NOT NULL,
                "manufacturer" character varying(100) NOT NULL,
                "model" character varying(100) NOT NULL,
                "description" text NOT NULL DEFAULT '',
                "deckType" character varying(100),
                "backends" jsonb NOT NULL,
                "source" character varying(10) NOT NULL DEFAULT 'catalog',
                CONSTRAINT "PK_2dd11d7b2e6771c864e772b131a" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "UQ_machine_definitions_name" ON "machine_definitions" ("name")
        `);
        await queryRunner.query(`
            CREATE TYPE "public"."machine_status" AS ENUM(
                'available',
                'in_use',
                'error',
                'offline',
                'initializing',
                'maintenance'
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "machines" (
                "id" uuid NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "properties" jsonb NOT NULL DEFAULT '{}',
                "name" character varying(150) NOT NULL,
                "workcellId" uuid NOT NULL,
                "definitionId" uuid NOT NULL,
                "category" character varying(50) NOT NULL,
                "backend" character varying(100) NOT NULL,
                "connectionConfig" jsonb NOT NULL DEFAULT '{}',
                "status" "public"."machine_status" NOT NULL DEFAULT 'available',
                "statusReason" text,
                "currentRunId" uuid,
                CONSTRAINT "PK_7b0817c674bb984650c5274e713" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_machines_definition" ON "machines" ("definitionId")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "UQ_machines_workcell_name" ON "machines" ("workcellId", "name")
        `);
        await queryRunner.query(`
            CREATE TABLE "decks" (
                "id" uuid NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "properties" jsonb NOT NULL DEFAULT '{}',
                "name" character varying(150) NOT NULL,
                "workcellId" uuid NOT NULL,
                "machineId" uuid,
                "deckTypeId" uuid NOT NULL,
                "layoutId" uuid,
                CONSTRAINT "PK_981894e3f8dbe5049ac59cb1af1" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "UQ_decks_machine" ON "decks" ("machineId")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "UQ_decks_workcell_name" ON "decks" ("workcellId", "name")
        `);
        await queryRunner.query(`
            ALTER TABLE "resources"
            ADD CONSTRAINT "FK_565a836973dcb05ab9c283b0554" FOREIGN KEY ("definitionId") REFERENCES "resource_definitions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "resources"
            ADD CONSTRAINT "FK_643827e6f415cf616536b536761" FOREIGN KEY ("workcellId") REFERENCES "workcells"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "resources"
            ADD CONSTRAINT "FK_802ca9cf0339acee31e3673251d" FOREIGN KEY ("parentId") REFERENCES "resources"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "deck_layouts"
            ADD CONSTRAINT "FK_49c5d9a8337bae6567392d09a01" FOREIGN KEY ("deckTypeId") REFERENCES "deck_types"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "deck_layouts"
            ADD CONSTRAINT "FK_a652d6b73f3c907b6fc8ed31972" FOREIGN KEY ("workcellId") REFERENCES "workcells"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "machines"
            ADD CONSTRAINT "FK_e6283f3fdeecdf393bc1773d58c" FOREIGN KEY ("workcellId") REFERENCES "workcells"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "machines"
            ADD CONSTRAINT "FK_dcf5992c655809088df4eb6738f" FOREIGN KEY ("definitionId") REFERENCES "machine_definitions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "decks"
            ADD CONSTRAINT "FK_c9e35958bc7a6625320371a7b60" FOREIGN KEY ("workcellId") REFERENCES "workcells"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "decks"
            ADD CONSTRAINT "FK_77494a7c5bd00519131e10e4fdd" FOREIGN KEY ("machineId") REFERENCES "machines"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "decks"
            ADD CONSTRAINT "FK_b8111cf541a200c9269b11688d4" FOREIGN KEY ("deckTypeId") REFERENCES "deck_types"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "decks"
            ADD CONSTRAINT "FK_fca04b667e5469fd21a4246949f" FOREIGN KEY ("layoutId") REFERENCES "deck_layouts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "decks" DROP CONSTRAINT "FK_fca04b667e5469fd21a4246949f"
        `);
        await queryRunner.query(`
            ALTER TABLE "decks" DROP CONSTRAINT "FK_b8111cf541a200c9269b11688d4"
        `);
        await queryRunner.query(`
            ALTER TABLE "decks" DROP CONSTRAINT "FK_77494a7c5bd00519131e10e4fdd"
        `);
        await queryRunner.query(`
            ALTER TABLE "decks" DROP CONSTRAINT "FK_c9e35958bc7a6625320371a7b60"
        `);
        await queryRunner.query(`
            ALTER TABLE "machines" DROP CONSTRAINT "FK_dcf5992c655809088df4eb6738f"
        `);
        await queryRunner.query(`
            ALTER TABLE "machines" DROP CONSTRAINT "FK_e6283f3fdeecdf393bc1773d58c"
        `);
        await queryRunner.query(`
            ALTER TABLE "deck_layouts" DROP CONSTRAINT "FK_a652d6b73f3c907b6fc8ed31972"
        `);
        await queryRunner.query(`
            ALTER TABLE "deck_layouts" DROP CONSTRAINT "FK_49c5d9a8337bae6567392d09a01"
        `);
        await queryRunner.query(`
            ALTER TABLE "resources" DROP CONSTRAINT "FK_802ca9cf0339acee31e3673251d"
        `);
        await queryRunner.query(`
            ALTER TABLE "resources" DROP CONSTRAINT "FK_643827e6f415cf616536b536761"
        `);
        await queryRunner.query(`
            ALTER TABLE "resources" DROP CONSTRAINT "FK_565a836973dcb05ab9c283b0554"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."UQ_decks_workcell_name"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."UQ_decks_machine"
        `);
        await queryRunner.query(`
            DROP TABLE "decks"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."UQ_machines_workcell_name"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_machines_definition"
        `);
        await queryRunner.query(`
            DROP TABLE "machines"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."machine_status"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."UQ_machine_definitions_name"
        `);
        await queryRunner.query(`
            DROP TABLE "machine_definitions"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."machine_category"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."UQ_deck_layouts_workcell_name"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_deck_layouts_deck_type"
        `);
        await queryRunner.query(`
            DROP TABLE "deck_layouts"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."UQ_deck_types_name"
        `);
        await queryRunner.query(`
            DROP TABLE "deck_types"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."UQ_resources_workcell_name"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_resources_category_created"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_resources_parent"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_resources_workcell"
        `);
        await queryRunner.query(`
            DROP TABLE "resources"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."resource_status"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_resource_definitions_category_vendor"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."UQ_resource_definitions_name"
        `);
        await queryRunner.query(`
            DROP TABLE "resource_definitions"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."UQ_workcells_name"
        `);
        await queryRunner.query(`
            DROP TABLE "workcells"
        `);
    }

}
