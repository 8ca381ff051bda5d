ALTER TABLE "t_acme"."event" ALTER COLUMN "data" TYPE bigint USING ("data" #>> '{}')::bigint;
