package config_test

import (
	"slices"
	"testing"

	"forma.dev/backend/internal/config"
	"forma.dev/backend/internal/limits"
)

func TestTenantLimitDefaults(t *testing.T) {
	t.Parallel()
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.TenantLimits != limits.Builtin() || c.TenantLimits[limits.RequestsPerSecond] != 1000 {
		t.Fatalf("defaults: %v", c.TenantLimits)
	}
	c, err = config.Load(env(map[string]string{"FORMA_TENANT_REQUESTS_PER_SECOND": "50", "FORMA_TENANT_STORAGE_BYTES": "0"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.TenantLimits[limits.RequestsPerSecond] != 50 || c.TenantLimits[limits.StorageBytes] != 0 || c.TenantLimits[limits.Models] != 1000 {
		t.Fatalf("read: %v", c.TenantLimits)
	}
	if !slices.Contains(config.Vars, "FORMA_TENANT_FIELDS_PER_MODEL") {
		t.Errorf("Vars lacks the FORMA_TENANT_* variables: %v", config.Vars)
	}
	for _, vars := range []map[string]string{
		{"FORMA_TENANT_MODELS": "-1"}, {"FORMA_TENANT_MODELS": "many"}, {"FORMA_TENANT_MODELS": "1.5"},
		{"FORMA_TENANT_FIELDS_PER_MODEL": "1601"}, {"FORMA_TENANT_BULK_ROWS": "99999999999999999999"},
	} {
		if _, err := config.Load(env(vars)); err == nil {
			t.Errorf("Load accepted %v", vars)
		}
	}
}
