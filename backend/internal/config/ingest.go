package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Defaults of streamed creates (NDJSON and CSV bodies).
const (
	DefaultImportMaxBytes = 1 << 30   // FORMA_IMPORT_MAX_BYTES
	DefaultImportMaxRows  = 1_000_000 // FORMA_IMPORT_MAX_ROWS
)

// Import bounds one streamed create: a POST /data/{model} with an NDJSON or CSV body,
// which is read as it is written, so that neither bound is held in memory.
type Import struct {
	// MaxBytes (FORMA_IMPORT_MAX_BYTES) is the largest body; JSON bodies keep their own,
	// smaller, limit.
	MaxBytes int64
	// MaxRows (FORMA_IMPORT_MAX_ROWS) is the most rows; 0: no bound (the tenant's
	// rows_per_model still applies).
	MaxRows int64
}

// loadImport reads FORMA_IMPORT_MAX_BYTES and FORMA_IMPORT_MAX_ROWS.
func (c *Config) loadImport(getenv func(string) string) error {
	c.Import = Import{MaxBytes: DefaultImportMaxBytes, MaxRows: DefaultImportMaxRows}
	for _, n := range []struct {
		name string
		to   *int64
		min  int64
	}{{"FORMA_IMPORT_MAX_BYTES", &c.Import.MaxBytes, 1}, {"FORMA_IMPORT_MAX_ROWS", &c.Import.MaxRows, 0}} {
		v := strings.TrimSpace(getenv(n.name))
		if v == "" {
			continue
		}
		i, err := strconv.ParseInt(v, 10, 64)
		if err != nil || i < n.min {
			return fmt.Errorf("%s must be a whole number, at least %d, not %q", n.name, n.min, v)
		}
		*n.to = i
	}
	return nil
}
