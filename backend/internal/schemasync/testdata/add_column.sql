ALTER TABLE "t_acme"."event" ADD COLUMN "value" bigint;
