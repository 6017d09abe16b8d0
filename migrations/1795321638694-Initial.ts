import { MigrationInterface, QueryRunner } from "typeorm";

export class Initial1795321638694 implements MigrationInterface {
    name = 'Initial1795321638694'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TYPE "public"."user_role" AS ENUM('viewer', 'operator', 'admin')
        `);
        await queryRunner.query(`
            CREATE TABLE "users" (
                "id" uuid NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "properties" jsonb NOT NULL DEFAULT '{}',
                "username" character varying(64) NOT NULL,
                "displayName" character varying(200),
                "email" character varying(320),
                "role" "public"."user_role" NOT NULL DEFAULT 'viewer',
                "passwordHash" character varying(300) NOT NULL,
                "disabled" boolean NOT NULL DEFAULT false,
                "credentialsChangedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "lastLoginAt" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "UQ_users_username" ON "users" ("username")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."UQ_users_username"
        `);
        await queryRunner.query(`
            DROP TABLE "users"
        `);
        await queryRunner.query(`
            DROP TYPE "public"."user_role"
        `);
    }

}
