CREATE INDEX "event_x""_ix_1a2b3c4d" ON "t_acme"."event" ("a""b" DESC, "c"" DESC; DROP TABLE x; --");
