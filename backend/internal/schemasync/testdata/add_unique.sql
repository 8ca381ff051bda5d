ALTER TABLE "t_acme"."event" ADD CONSTRAINT "event_source_key_1a2b3c4d" UNIQUE ("source");
