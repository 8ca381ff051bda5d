ALTER TABLE "t_acme"."event" ALTER COLUMN "source" SET NOT NULL;
