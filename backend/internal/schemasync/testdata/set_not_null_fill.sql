UPDATE "t_acme"."event" SET "source" = 'it''s; DROP TABLE x --?' WHERE "source" IS NULL;
ALTER TABLE "t_acme"."event" ALTER COLUMN "source" SET NOT NULL;
