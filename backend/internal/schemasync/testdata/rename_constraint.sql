ALTER TABLE "t_acme"."event" RENAME CONSTRAINT "event_owner_fkey_1a2b3c4d" TO "event_user_fkey_5e6f7a8b";
ALTER INDEX IF EXISTS "t_acme"."event_owner_fkey_1a2b3c4d" RENAME TO "event_user_fkey_5e6f7a8b";
