package schemasync

import (
	"context"
	"strings"

	"github.com/uptrace/bun"
)

// liveColumn is one column of a live table, read from pg_catalog.
type liveColumn struct {
	Table   string `bun:"table_name"`
	Name    string `bun:"column_name"`
	Type    string `bun:"column_type"`
	NotNull bool   `bun:"not_null"`
}

// liveIndex is one index (unique constraints included) of a live table.
type liveIndex struct {
	Table   string   `bun:"table_name"`
	Name    string   `bun:"index_name"`
	Unique  bool     `bun:"is_unique"`
	Columns []string `bun:"columns,array"`
	// Descending tells, column by column, whether the index sorts it descending.
	Descending []bool `bun:"descending,array"`
}

// liveConstraint is one foreign key ("f") or check ("c") constraint of a live table.
type liveConstraint struct {
	Table   string   `bun:"table_name"`
	Name    string   `bun:"constraint_name"`
	Type    string   `bun:"contype"`
	Columns []string `bun:"columns,array"`
	Ref     string   `bun:"ref_table"`
}

// liveSchema is what a tenant's Postgres schema holds now.
type liveSchema struct {
	tables      map[string]bool
	columns     []liveColumn
	indexes     []liveIndex
	constraints []liveConstraint
}

const (
	sqlLiveTables  = `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind IN ('r', 'p')`
	sqlLiveColumns = `SELECT c.relname AS table_name, a.attname AS column_name,
	format_type(a.atttypid, a.atttypmod) AS column_type, a.attnotnull AS not_null
	FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
	ORDER BY c.relname, a.attnum`
	// indoption (0-based) holds each key column's flags: bit 0 is DESC.
	sqlLiveIndexes = `SELECT t.relname AS table_name, i.relname AS index_name, x.indisunique AS is_unique,
	ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(num, ord)
		JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.num ORDER BY k.ord)::text[] AS columns,
	ARRAY(SELECT coalesce(x.indoption[k.ord - 1] & 1 = 1, false) FROM unnest(x.indkey) WITH ORDINALITY k(num, ord)
		JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.num ORDER BY k.ord)::boolean[] AS descending
	FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
	JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = ? AND x.indpred IS NULL`
	sqlLiveConstraints = `SELECT t.relname AS table_name, con.conname AS constraint_name, con.contype::text AS contype,
	ARRAY(SELECT a.attname FROM unnest(con.conkey) k(num) JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.num)::text[] AS columns,
	coalesce(ft.relname::text, '') AS ref_table
	FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
	LEFT JOIN pg_class ft ON ft.oid = con.confrelid WHERE n.nspname = ? AND con.contype IN ('f', 'c')`
)

// inspect reads the tables, columns, indexes and constraints of the Postgres schema name.
func inspect(ctx context.Context, db bun.IDB, name string) (*liveSchema, error) {
	s := &liveSchema{tables: map[string]bool{}}
	var tables []string
	if err := db.NewRaw(sqlLiveTables, name).Scan(ctx, &tables); err != nil {
		return nil, err
	}
	for _, t := range tables {
		s.tables[t] = true
	}
	if err := db.NewRaw(sqlLiveColumns, name).Scan(ctx, &s.columns); err != nil {
		return nil, err
	}
	if err := db.NewRaw(sqlLiveIndexes, name).Scan(ctx, &s.indexes); err != nil {
		return nil, err
	}
	if err := db.NewRaw(sqlLiveConstraints, name).Scan(ctx, &s.constraints); err != nil {
		return nil, err
	}
	return s, nil
}

// typeAliases maps the short spellings of column types to what format_type prints.
var typeAliases = map[string]string{
	"varchar": "character varying", "timestamptz": "timestamp with time zone",
	"timestamp": "timestamp without time zone", "timetz": "time with time zone",
	"time": "time without time zone", "int8": "bigint", "int": "integer", "int4": "integer",
	"int2": "smallint", "float8": "double precision", "float4": "real", "bool": "boolean",
	"decimal": "numeric", "char": "character",
}

// normType spells a column type as format_type does, e.g. varchar(3) → character varying(3).
func normType(t string) string {
	t = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(t), ", ", ","))
	base, rest := t, ""
	if i := strings.IndexByte(t, '('); i >= 0 {
		base, rest = strings.TrimSpace(t[:i]), t[i:]
	}
	if a, ok := typeAliases[base]; ok {
		base = a
	}
	if rest != "" && (base == "timestamp with time zone" || base == "timestamp without time zone" ||
		base == "time with time zone" || base == "time without time zone") {
		// format_type puts the precision after "timestamp": timestamp(3) with time zone.
		parts := strings.SplitN(base, " ", 2)
		return parts[0] + rest + " " + parts[1]
	}
	return base + rest
}
