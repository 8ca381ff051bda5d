-- 0005_webhook_order: deliveries of one record to one endpoint go in order. ordering_key
-- names the record ("<model>:<id>") or "schema" for schema.changed; a delivery is sent
-- only once every earlier delivery with the same subscription and key is finished
-- (succeeded or dead). Deliveries queued before this migration have no key and keep
-- going in parallel.

ALTER TABLE forma.webhook_deliveries ADD COLUMN IF NOT EXISTS ordering_key text;

CREATE INDEX IF NOT EXISTS webhook_deliveries_order_idx
    ON forma.webhook_deliveries (subscription_id, ordering_key, id)
    WHERE status IN ('pending', 'failed');
