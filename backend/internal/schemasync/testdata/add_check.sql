ALTER TABLE "t_acme"."event" ADD CONSTRAINT "event_note_check_1a2b3c4d" CHECK ("note" IN ('PL', 'it''s; DROP TABLE x --?'));
