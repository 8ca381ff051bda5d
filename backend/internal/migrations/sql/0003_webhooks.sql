-- 0003_webhooks: webhook subscriptions, the transactional outbox of events, one delivery
-- per (event, subscription) and one row per HTTP attempt. Secrets are stored as issued
-- (whsec_...): the dispatcher must read them to sign, and the control schema is only
-- reachable by the service's own role (see docs/webhooks.md).

CREATE TABLE IF NOT EXISTS forma.webhook_subscriptions (
    id                  bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id           bigint      NOT NULL REFERENCES forma.tenants (id) ON DELETE CASCADE,
    url                 text        NOT NULL,
    description         text        NOT NULL DEFAULT '',
    events              text[]      NOT NULL,
    models              text[]      NOT NULL DEFAULT '{}', -- empty: every model
    enabled             boolean     NOT NULL DEFAULT true,
    disabled_reason     text        NOT NULL DEFAULT '',
    secret              text        NOT NULL,
    previous_secret     text        NOT NULL DEFAULT '',
    previous_expires_at timestamptz,
    failures            integer     NOT NULL DEFAULT 0, -- consecutive failed attempts
    failing_since       timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS webhook_subscriptions_tenant_idx ON forma.webhook_subscriptions (tenant_id);

CREATE TABLE IF NOT EXISTS forma.webhook_events (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id  bigint      NOT NULL REFERENCES forma.tenants (id) ON DELETE CASCADE,
    type       text        NOT NULL,
    model      text,       -- NULL for schema.changed
    payload    jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS webhook_events_created_idx ON forma.webhook_events (created_at);

-- status: pending (not tried yet), failed (tried, retry at next_attempt_at), succeeded,
-- dead (no more retries). lease counts claims; a worker finishes only its own claim.
CREATE TABLE IF NOT EXISTS forma.webhook_deliveries (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        bigint      NOT NULL REFERENCES forma.webhook_events (id) ON DELETE CASCADE,
    subscription_id bigint      NOT NULL REFERENCES forma.webhook_subscriptions (id) ON DELETE CASCADE,
    status          text        NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'failed', 'succeeded', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease           bigint      NOT NULL DEFAULT 0,
    last_status     integer,
    last_error      text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS webhook_deliveries_due_idx ON forma.webhook_deliveries (next_attempt_at)
    WHERE status IN ('pending', 'failed');
CREATE INDEX IF NOT EXISTS webhook_deliveries_subscription_idx ON forma.webhook_deliveries (subscription_id, id);
CREATE INDEX IF NOT EXISTS webhook_deliveries_event_idx ON forma.webhook_deliveries (event_id);

CREATE TABLE IF NOT EXISTS forma.webhook_attempts (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id   bigint      NOT NULL REFERENCES forma.webhook_deliveries (id) ON DELETE CASCADE,
    at            timestamptz NOT NULL DEFAULT now(),
    status_code   integer,    -- NULL when no answer came (refused, timeout)
    latency_ms    integer     NOT NULL,
    response_body text        NOT NULL DEFAULT '', -- at most 1 KiB
    error         text        NOT NULL DEFAULT ''
);

CREATE INDEX IF NOT EXISTS webhook_attempts_delivery_idx ON forma.webhook_attempts (delivery_id);
CREATE INDEX IF NOT EXISTS webhook_attempts_at_idx ON forma.webhook_attempts (at);
