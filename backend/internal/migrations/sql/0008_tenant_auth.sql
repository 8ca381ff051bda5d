-- 0008_tenant_auth: how a tenant's own users' JSON Web Tokens are verified, one row per
-- tenant (no row: tokens are refused). jwt holds the settings as the API shows them;
-- secret is an HS256 tenant's shared secret, kept apart so that no query that shows the
-- settings can show it by mistake.
CREATE TABLE forma.tenant_auth (
    tenant_id  bigint      PRIMARY KEY REFERENCES forma.tenants (id) ON DELETE CASCADE,
    jwt        jsonb       NOT NULL CHECK (jsonb_typeof(jwt) = 'object'),
    secret     bytea,
    updated_at timestamptz NOT NULL DEFAULT now()
);
