// Package limits names a tenant's limits and quotas, their bounds and their defaults:
// a Set holds one value per limit, and a tenant's own values override the defaults
// (FORMA_TENANT_*) one by one.
package limits

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strconv"
)

// Name is one limit.
type Name int

// The limits. Enforced: RequestsPerSecond and ConcurrentRequests on every tenant route,
// DatabaseConnections on the data routes, Models and FieldsPerModel on schema changes,
// BulkRows on bulk creates, RowsPerModel and StorageBytes on creates (against usage
// measured at most a few seconds ago, see httpapi's quota.go), StatementTimeoutMS on
// the data routes (httpapi's deadline.go).
const (
	RequestsPerSecond Name = iota
	ConcurrentRequests
	StatementTimeoutMS
	Models
	FieldsPerModel
	RowsPerModel
	BulkRows
	StorageBytes
	// DatabaseConnections is the most of a replica's database pool one tenant's data
	// requests hold at once; its slow kinds of request one per 32 of that (httpapi).
	DatabaseConnections
	count
)

// spec is what a limit is called in JSON and in FORMA_TENANT_*, and its bounds.
type spec struct {
	key string
	max int64 // the largest own value accepted; every limit is at least 1
	def int64 // the default when FORMA_TENANT_* leaves it unset (0: no limit)
}

var specs = [count]spec{
	RequestsPerSecond:  {"requests_per_second", 1_000_000, 1000},
	ConcurrentRequests: {"concurrent_requests", 100_000, 100},
	StatementTimeoutMS: {"statement_timeout_ms", 3_600_000, 30_000},
	Models:             {"models", 10_000, 1000},
	FieldsPerModel:     {"fields_per_model", 1600, 1000}, // Postgres: at most 1600 columns
	RowsPerModel:       {"rows_per_model", 1 << 40, 0},
	BulkRows:           {"bulk_rows", 10_000, 10_000}, // records.MaxBulk
	StorageBytes:       {"storage_bytes", 1 << 50, 0},
	// forma's pool (db.MaxConns): a share of 8 halved one tenant's reads per second
	// with 32 clients, and the slow part of the share is what keeps the others served
	DatabaseConnections: {"database_connections", 10_000, 32},
}

// All lists every limit in order.
func All() []Name {
	out := make([]Name, count)
	for i := range out {
		out[i] = Name(i)
	}
	return out
}

// Key is the limit's JSON member name, e.g. "requests_per_second".
func (n Name) Key() string { return specs[n].key }

// Max is the largest value the limit takes.
func (n Name) Max() int64 { return specs[n].max }

// Default is the limit's built-in default; 0 means no limit.
func (n Name) Default() int64 { return specs[n].def }

// Lookup returns the limit whose JSON name is key.
func Lookup(key string) (Name, bool) {
	for i, s := range specs {
		if s.key == key {
			return Name(i), true
		}
	}
	return 0, false
}

// Set is a value per limit. In a tenant's own Set, 0 means "the default"; in the
// defaults and in an effective Set, 0 means "no limit".
type Set [count]int64

// Builtin is the built-in defaults, before FORMA_TENANT_*.
func Builtin() Set {
	var s Set
	for i, sp := range specs {
		s[i] = sp.def
	}
	return s
}

// Over returns the defaults d with own's values in place of theirs.
func (d Set) Over(own Set) Set {
	for i, v := range own {
		if v > 0 {
			d[i] = v
		}
	}
	return d
}

// MarshalJSON writes the values set (non-zero) as an object by JSON name.
func (s Set) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, v := range s {
		if v == 0 {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, specs[i].key)
		b = append(b, ':')
		b = strconv.AppendInt(b, v, 10)
	}
	return append(b, '}'), nil
}

// UnmarshalJSON reads what MarshalJSON wrote (the stored column); members it does not
// know and values out of bounds are ignored, so a row never breaks a key lookup.
func (s *Set) UnmarshalJSON(b []byte) error {
	var m map[string]int64
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("limits: %w", err)
	}
	*s = Set{}
	for k, v := range m {
		if n, ok := Lookup(k); ok && v >= 1 && v <= n.Max() {
			s[n] = v
		}
	}
	return nil
}

// Scan reads the stored jsonb column (sql.Scanner).
func (s *Set) Scan(src any) error {
	switch v := src.(type) {
	case []byte:
		return s.UnmarshalJSON(v)
	case string:
		return s.UnmarshalJSON([]byte(v))
	case nil:
		*s = Set{}
		return nil
	}
	return fmt.Errorf("limits: cannot scan %T", src)
}

// Value writes s as the jsonb column holds it (driver.Valuer).
func (s Set) Value() (driver.Value, error) {
	b, err := s.MarshalJSON()
	return string(b), err
}
