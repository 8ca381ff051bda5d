ALTER TABLE "t_acme"."event" DROP CONSTRAINT IF EXISTS "event_source_key_1a2b3c4d";
