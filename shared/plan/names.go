package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"forma.dev/shared/schema"
)

// Suffixes of constraint and index names, by what they enforce.
const (
	suffixUnique         = "key"
	suffixIndex          = "idx"
	suffixForeignKey     = "fkey"
	suffixCheck          = "check"
	suffixUniqueTogether = "uniq"
)

// ConstraintName returns the name Forma gives a constraint or index of table on cols:
// "<table>_<cols>_<suffix>" cut to fit, then "_" and 8 hex digits of a hash of the exact
// inputs, so that ("a", "b_c") and ("a_b", "c") never collide. At most 63 bytes.
func ConstraintName(table, suffix string, cols ...string) string {
	h := sha256.Sum256([]byte(suffix + "\x00" + table + "\x00" + strings.Join(cols, "\x00")))
	base := table + "_" + strings.Join(cols, "_") + "_" + suffix
	if max := schema.MaxNameBytes - 9; len(base) > max {
		base = base[:max]
	}
	return base + "_" + hex.EncodeToString(h[:4])
}

// TempName returns the temporary name through which a rename of from in table goes
// when names form a cycle: "_forma_tmp_" and 16 hex digits. Tenant names start with a
// letter, so it never collides with one.
func TempName(table, from string) string {
	h := sha256.Sum256([]byte(table + "\x00" + from))
	return tempPrefix + hex.EncodeToString(h[:8])
}

// tempPrefix starts every temporary name.
const tempPrefix = "_forma_tmp_"

// uniqueTogetherName names a unique_together constraint; column order does not matter.
func uniqueTogetherName(table string, cols []string) string {
	sorted := append([]string(nil), cols...)
	sortStrings(sorted)
	return ConstraintName(table, suffixUniqueTogether, sorted...)
}
