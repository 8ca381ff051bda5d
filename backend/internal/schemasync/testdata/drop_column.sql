ALTER TABLE "t_acme"."event" DROP COLUMN "source";
