// Package meta stores a tenant's model definitions in the control schema: the models as
// JSON, the schema version and hash, and the history of every applied change. It only
// reads and writes rows; planning and DDL live in schemasync.
package meta

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"forma.dev/shared/access"
	"forma.dev/shared/schema"
)

// State is a tenant's current schema: its models (sorted by name), its custom roles,
// version and hash. Hash is the canonical hash of the models alone (schema.SchemaHash,
// which the designer computes too); a change of the roles moves the version, not it.
type State struct {
	Version int64          `json:"version"`
	Hash    string         `json:"hash"`
	Models  []schema.Model `json:"models"`
	// Roles are the tenant's custom roles by name, with fields by id; never nil after Load.
	Roles map[string]*access.Stored `json:"-"`
	// Hashes holds the stored canonical hash of each model by name.
	Hashes map[string]string `json:"-"`
}

// Model returns the model with the given name.
func (s *State) Model(name string) (*schema.Model, bool) {
	for i := range s.Models {
		if s.Models[i].Name == name {
			return &s.Models[i], true
		}
	}
	return nil, false
}

// Load reads the tenant's current schema; a tenant that never changed it has version 0.
func Load(ctx context.Context, db bun.IDB, tenantID int64) (State, error) {
	st := State{Hashes: map[string]string{}}
	err := db.NewRaw("SELECT version, hash FROM forma.schema_versions WHERE tenant_id = ?", tenantID).
		Scan(ctx, &st.Version, &st.Hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("meta: load version: %w", err)
	}
	var rows []struct {
		Name       string `bun:"name"`
		Definition []byte `bun:"definition"`
		Hash       string `bun:"hash"`
	}
	err = db.NewRaw("SELECT name, definition, hash FROM forma.models WHERE tenant_id = ? ORDER BY name COLLATE \"C\"", tenantID).
		Scan(ctx, &rows)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("meta: load models: %w", err)
	}
	st.Models = make([]schema.Model, 0, len(rows))
	for _, r := range rows {
		var m schema.Model
		if err := json.Unmarshal(r.Definition, &m); err != nil {
			return st, fmt.Errorf("meta: decode model %q: %w", r.Name, err)
		}
		st.Models = append(st.Models, m)
		st.Hashes[r.Name] = r.Hash
	}
	st.Roles, err = loadRoles(ctx, db, tenantID)
	return st, err
}

// loadRoles reads the tenant's custom roles.
func loadRoles(ctx context.Context, db bun.IDB, tenantID int64) (map[string]*access.Stored, error) {
	rows, err := db.QueryContext(ctx, "SELECT name, definition FROM forma.roles WHERE tenant_id = ?", tenantID)
	if err != nil {
		return nil, fmt.Errorf("meta: load roles: %w", err)
	}
	defer rows.Close()
	roles := map[string]*access.Stored{}
	for rows.Next() {
		var name string
		var def []byte
		if err := rows.Scan(&name, &def); err != nil {
			return nil, fmt.Errorf("meta: load roles: %w", err)
		}
		var r access.Stored
		if err := DecodeRoles(def, &r); err != nil {
			return nil, fmt.Errorf("meta: decode role %q: %w", name, err)
		}
		roles[name] = &r
	}
	return roles, rows.Err()
}

// DecodeRoles decodes stored roles (one, or a map of them by name) from their JSON with
// numbers as json.Number, so that a value keeps every digit it was stored with: an
// integer above 2^53 would change as a float64. Every reader of stored roles (Postgres,
// the history, Redis, the model cache) MUST decode them with it, so that every replica
// holds the same values however a set reached it.
func DecodeRoles(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("meta: data after the roles' JSON")
	}
	return nil
}

// Version reads only the tenant's current schema version (0 when it never changed).
func Version(ctx context.Context, db bun.IDB, tenantID int64) (int64, error) {
	var v int64
	err := db.NewRaw("SELECT version FROM forma.schema_versions WHERE tenant_id = ?", tenantID).Scan(ctx, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

// Versions returns the current schema versions of the tenants named, in one query: 0
// for a tenant that never changed, nothing for one that does not exist.
func Versions(ctx context.Context, db bun.IDB, tenantIDs []int64) (map[int64]int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT t.id, coalesce(v.version, 0) FROM forma.tenants t
LEFT JOIN forma.schema_versions v ON v.tenant_id = t.id WHERE t.id = ANY(?)`, pgdialect.Array(tenantIDs))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64]int64, len(tenantIDs))
	for rows.Next() {
		var id, v int64
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		out[id] = v
	}
	return out, rows.Err()
}
