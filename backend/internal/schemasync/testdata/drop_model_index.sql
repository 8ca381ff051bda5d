DROP INDEX IF EXISTS "t_acme"."event_country_timestamp_id_ix_1a2b3c4d";
