-- The control schema: tenants and their API keys.
CREATE SCHEMA IF NOT EXISTS forma;

CREATE TABLE forma.tenants (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text        NOT NULL UNIQUE
                CHECK (slug ~ '^[a-z][a-z0-9_]*$' AND octet_length(slug) <= 40),
    name        text        NOT NULL,
    schema_name text        NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A key with tenant_id NULL belongs to no tenant (reserved for platform keys).
-- lookup_id is the non-secret part of the key; hash is SHA-256 of the whole key.
CREATE TABLE forma.keys (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    bigint      REFERENCES forma.tenants (id) ON DELETE CASCADE,
    name         text        NOT NULL,
    role         text        NOT NULL CHECK (role IN ('admin', 'write', 'read')),
    lookup_id    text        NOT NULL UNIQUE,
    hash         bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE INDEX keys_tenant_id_idx ON forma.keys (tenant_id);
