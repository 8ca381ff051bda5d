ALTER TABLE "t_acme"."event" ADD CONSTRAINT "event_country_source_uniq_1a2b3c4d" UNIQUE ("country", "source");
