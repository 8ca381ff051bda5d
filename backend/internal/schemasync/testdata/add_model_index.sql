CREATE INDEX "event_country_timestamp_id_ix_1a2b3c4d" ON "t_acme"."event" ("country", "timestamp" DESC, "id");
