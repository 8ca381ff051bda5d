ALTER INDEX "t_acme"."event_country_idx_1a2b3c4d" RENAME TO "event_land_idx_5e6f7a8b";
