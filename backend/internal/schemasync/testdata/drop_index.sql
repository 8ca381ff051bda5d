DROP INDEX IF EXISTS "t_acme"."event_country_idx_1a2b3c4d";
