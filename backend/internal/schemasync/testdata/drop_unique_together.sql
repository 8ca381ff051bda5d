ALTER TABLE "t_acme"."event" DROP CONSTRAINT IF EXISTS "event_country_source_uniq_1a2b3c4d";
