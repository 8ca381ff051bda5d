ALTER TABLE "t_acme"."event" ADD COLUMN "country" varchar(3) NOT NULL DEFAULT 'PL';
