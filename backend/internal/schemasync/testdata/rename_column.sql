ALTER TABLE "t_acme"."event" RENAME COLUMN "source" TO "origin";
