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
	// suffixModelIndex is not suffixIndex, so that an index ["a"] of the model's indexes
	// and the index of a field "a" with index: true never take the same name.
	suffixModelIndex = "ix"
)

// ConstraintName returns the name Forma gives a constraint or index of table on cols:
// "<table>_<cols>_<suffix>" cut to fit, then "_" and 8 hex digits of a hash of the exact
// inputs, so that ("a", "b_c") and ("a_b", "c") never collide. At most 63 bytes.
func ConstraintName(table, suffix string, cols ...string) string {
	return name(table, suffix, cols, cols)
}

// IndexName returns the name Forma gives an index of a model's indexes, cols as the
// definition writes them: "<table>_<cols>_ix_<8hex>" as ConstraintName makes it, with
// the columns' names in the readable part and the columns as written ("-" included) in
// the hash, so that ("a", "-b") and ("a", "b") differ. Column order matters, as it does
// to the index.
func IndexName(table string, cols []string) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i], _ = schema.IndexColumn(c)
	}
	return name(table, suffixModelIndex, names, cols)
}

// name is "<table>_<readable>_<suffix>" cut to fit, "_" and 8 hex digits of a hash of
// suffix, table and hashed.
func name(table, suffix string, readable, hashed []string) string {
	h := sha256.Sum256([]byte(suffix + "\x00" + table + "\x00" + strings.Join(hashed, "\x00")))
	base := table + "_" + strings.Join(readable, "_") + "_" + suffix
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
