ALTER TABLE "t_acme"."event" ADD COLUMN "timestamp" timestamptz NOT NULL DEFAULT now();
