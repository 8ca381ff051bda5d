DROP TABLE "t_acme"."event";
