ALTER TABLE "t_acme"."event" ALTER COLUMN "source" TYPE varchar(5) USING "source"::varchar;
