ALTER TABLE "t_acme"."event" ALTER COLUMN "country" DROP DEFAULT;
