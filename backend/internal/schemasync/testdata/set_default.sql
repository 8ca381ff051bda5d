ALTER TABLE "t_acme"."event" ALTER COLUMN "note" SET DEFAULT 'it''s; DROP TABLE x --?';
