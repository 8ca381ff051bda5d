-- 0006_tenant_limits: a tenant's own limits and quotas, by name
-- ({"requests_per_second": 200, ...}); a limit not named takes its default from the
-- configuration (FORMA_TENANT_*). Read with every key lookup, so a column of the row the
-- lookup joins already, not a table of its own.
ALTER TABLE forma.tenants ADD COLUMN limits jsonb NOT NULL DEFAULT '{}'
    CHECK (jsonb_typeof(limits) = 'object');
