CREATE INDEX "event_country_idx_1a2b3c4d" ON "t_acme"."event" ("country");
