ALTER TABLE "t_acme"."event" ADD CONSTRAINT "event_owner_fkey_1a2b3c4d" FOREIGN KEY ("owner") REFERENCES "t_acme"."user" ("id") ON DELETE SET NULL;
CREATE INDEX "event_owner_fkey_1a2b3c4d" ON "t_acme"."event" ("owner");
