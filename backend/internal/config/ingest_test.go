package config_test

import (
	"testing"

	"forma.dev/backend/internal/config"
)

func TestImportBounds(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil || c.Import.MaxBytes != 1<<30 || c.Import.MaxRows != 1_000_000 {
		t.Fatalf("defaults %+v %v", c.Import, err)
	}
	c, err = config.Load(env(map[string]string{"FORMA_IMPORT_MAX_BYTES": "1048576", "FORMA_IMPORT_MAX_ROWS": "0"}))
	if err != nil || c.Import.MaxBytes != 1<<20 || c.Import.MaxRows != 0 {
		t.Fatalf("set %+v %v", c.Import, err)
	}
	for _, bad := range []map[string]string{{"FORMA_IMPORT_MAX_BYTES": "0"}, {"FORMA_IMPORT_MAX_ROWS": "-1"}, {"FORMA_IMPORT_MAX_ROWS": "1M"}} {
		if _, err := config.Load(env(bad)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestTotalExactMax(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil || c.TotalExactMax != 10_000 {
		t.Fatalf("default %d %v", c.TotalExactMax, err)
	}
	if c, err = config.Load(env(map[string]string{"FORMA_TOTAL_EXACT_MAX": "50"})); err != nil || c.TotalExactMax != 50 {
		t.Fatalf("set %d %v", c.TotalExactMax, err)
	}
	for _, bad := range []string{"0", "-1", "many"} {
		if _, err := config.Load(env(map[string]string{"FORMA_TOTAL_EXACT_MAX": bad})); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
