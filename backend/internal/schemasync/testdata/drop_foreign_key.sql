ALTER TABLE "t_acme"."event" DROP CONSTRAINT IF EXISTS "event_owner_fkey_1a2b3c4d";
DROP INDEX IF EXISTS "t_acme"."event_owner_fkey_1a2b3c4d";
