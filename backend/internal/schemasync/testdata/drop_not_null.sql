ALTER TABLE "t_acme"."event" ALTER COLUMN "source" DROP NOT NULL;
