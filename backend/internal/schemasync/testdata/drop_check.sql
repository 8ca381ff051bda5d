ALTER TABLE "t_acme"."event" DROP CONSTRAINT IF EXISTS "event_note_check_1a2b3c4d";
