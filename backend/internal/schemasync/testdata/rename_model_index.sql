ALTER INDEX "t_acme"."event_country_timestamp_id_ix_1a2b3c4d" RENAME TO "event_land_timestamp_id_ix_5e6f7a8b";
