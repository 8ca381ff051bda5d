-- 0007_roles: a tenant's custom roles. Each is kept with its schema version, since its
-- rules name the tenant's fields by id: definition is the validated role (shared/access
-- Stored), version the schema version at which it last changed. A key may hold a custom
-- role (its name follows the model-name rules); the schema engine refuses to delete a
-- role that unrevoked keys hold. A history row keeps the roles before and after the
-- change when it changed them (NULL: the change left them alone).
CREATE TABLE forma.roles (
    tenant_id  bigint      NOT NULL REFERENCES forma.tenants (id) ON DELETE CASCADE,
    name       text        NOT NULL CHECK (name ~ '^[a-z][a-z0-9_]*$' AND octet_length(name) <= 63),
    definition jsonb       NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
    version    bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, name)
);

ALTER TABLE forma.keys DROP CONSTRAINT keys_role_check;
ALTER TABLE forma.keys ADD CONSTRAINT keys_role_check
    CHECK (role ~ '^[a-z][a-z0-9_]*$' AND octet_length(role) <= 63);

ALTER TABLE forma.schema_history ADD COLUMN roles_before jsonb, ADD COLUMN roles_after jsonb;
