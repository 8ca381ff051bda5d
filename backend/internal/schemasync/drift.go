package schemasync

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/uptrace/bun"

	"forma.dev/backend/internal/meta"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/schema"
)

// Difference is one way the live tables differ from the definitions.
type Difference struct {
	// Kind is one of missing_table, extra_table, missing_column, extra_column,
	// type_mismatch, nullability_mismatch, missing_unique, missing_index,
	// missing_foreign_key, missing_check, missing_unique_together, missing_model_index.
	Kind     string `json:"kind"`
	Model    string `json:"model"`
	Field    string `json:"field,omitempty"`
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
}

// DriftReport is the result of comparing a tenant's live schema with its definitions.
type DriftReport struct {
	Version     int64        `json:"version"`
	InSync      bool         `json:"in_sync"`
	Differences []Difference `json:"differences"`
}

// Drift compares the tenant's live tables with its stored definitions.
func (e *Engine) Drift(ctx context.Context, t tenantref.Ref) (*DriftReport, error) {
	st, err := meta.Load(ctx, e.db, t.ID)
	if err != nil {
		return nil, err
	}
	diffs, err := Compare(ctx, e.db, t.Schema, st.Models)
	if err != nil {
		return nil, err
	}
	return &DriftReport{Version: st.Version, InSync: len(diffs) == 0, Differences: diffs}, nil
}

// Compare lists every difference between the Postgres schema name and models.
func Compare(ctx context.Context, db bun.IDB, name string, models []schema.Model) ([]Difference, error) {
	live, err := inspect(ctx, db, name)
	if err != nil {
		return nil, fmt.Errorf("schemasync: inspect %s: %w", name, err)
	}
	diffs := []Difference{}
	add := func(kind, model, field, want, got string) {
		diffs = append(diffs, Difference{Kind: kind, Model: model, Field: field, Expected: want, Actual: got})
	}
	defined := map[string]bool{}
	for i := range models {
		m := &models[i]
		defined[m.Name] = true
		if !live.tables[m.Name] {
			add("missing_table", m.Name, "", "", "")
			continue
		}
		compareColumns(live, m, add)
		compareObjects(live, m, add)
	}
	for t := range live.tables {
		if !defined[t] {
			add("extra_table", t, "", "", "")
		}
	}
	sort.SliceStable(diffs, func(i, j int) bool { return diffs[i].Model < diffs[j].Model })
	return diffs, nil
}

type addFunc func(kind, model, field, want, got string)

// compareColumns checks every expected column's presence, type and nullability, and
// reports columns that no field or system column explains.
func compareColumns(live *liveSchema, m *schema.Model, add addFunc) {
	type want struct {
		typ     string
		notNull bool
	}
	expected := map[string]want{"id": {"bigint", true}, "created_at": {"timestamptz", true}, "updated_at": {"timestamptz", true}}
	order := append([]string{}, schema.SystemColumns...)
	for _, f := range m.Fields {
		expected[f.Name] = want{schema.Resolve(f).Column, f.Required}
		order = append(order, f.Name)
	}
	got := map[string]liveColumn{}
	for _, c := range live.columns {
		if c.Table == m.Name {
			got[c.Name] = c
			if _, ok := expected[c.Name]; !ok {
				add("extra_column", m.Name, c.Name, "", c.Type)
			}
		}
	}
	for _, name := range order {
		w, c := expected[name], got[name]
		switch {
		case c.Name == "":
			add("missing_column", m.Name, name, normType(w.typ), "")
		case normType(w.typ) != normType(c.Type):
			add("type_mismatch", m.Name, name, normType(w.typ), c.Type)
		case w.notNull != c.NotNull:
			add("nullability_mismatch", m.Name, name, nullability(w.notNull), nullability(c.NotNull))
		}
	}
}

func nullability(notNull bool) string {
	if notNull {
		return "not null"
	}
	return "null"
}

// compareObjects checks, by structure rather than by name, that every unique, index,
// foreign key, check, unique_together and index of the model's indexes the definition
// implies exists.
func compareObjects(live *liveSchema, m *schema.Model, add addFunc) {
	hasIndex := func(unique bool, match func(cols []string) bool) bool {
		return slices.ContainsFunc(live.indexes, func(x liveIndex) bool {
			return x.Table == m.Name && (!unique || x.Unique) && match(x.Columns)
		})
	}
	hasConstraint := func(typ, col, ref string) bool {
		return slices.ContainsFunc(live.constraints, func(c liveConstraint) bool {
			return c.Table == m.Name && c.Type == typ && slices.Equal(c.Columns, []string{col}) && (ref == "" || c.Ref == ref)
		})
	}
	only := func(col string) func([]string) bool {
		return func(cols []string) bool { return slices.Equal(cols, []string{col}) }
	}
	leading := func(col string) func([]string) bool {
		return func(cols []string) bool { return len(cols) > 0 && cols[0] == col }
	}
	for _, f := range m.Fields {
		if f.Unique && !hasIndex(true, only(f.Name)) {
			add("missing_unique", m.Name, f.Name, "unique", "")
		}
		if f.Index && !hasIndex(false, leading(f.Name)) {
			add("missing_index", m.Name, f.Name, "index", "")
		}
		if f.RelatedModel != "" {
			if !hasConstraint("f", f.Name, f.RelatedModel) {
				add("missing_foreign_key", m.Name, f.Name, "references "+f.RelatedModel, "")
			}
			if !hasIndex(false, leading(f.Name)) {
				add("missing_index", m.Name, f.Name, "index", "")
			}
		}
		if len(f.Choices) > 0 && !hasConstraint("c", f.Name, "") {
			add("missing_check", m.Name, f.Name, "check (choices)", "")
		}
	}
	for _, group := range m.UniqueTogether {
		set := slices.Sorted(slices.Values(group))
		if !hasIndex(true, func(cols []string) bool { return slices.Equal(slices.Sorted(slices.Values(cols)), set) }) {
			add("missing_unique_together", m.Name, "", fmt.Sprint(group), "")
		}
	}
	for _, ix := range m.Indexes {
		if !slices.ContainsFunc(live.indexes, func(x liveIndex) bool { return x.Table == m.Name && x.serves(ix) }) {
			add("missing_model_index", m.Name, "", fmt.Sprint(ix), "")
		}
	}
}

// serves tells whether the index has exactly the columns of ix, in its order and
// directions ("-" in front of a descending column).
func (x liveIndex) serves(ix []string) bool {
	if len(x.Columns) != len(ix) || len(x.Descending) != len(ix) {
		return false
	}
	for i, col := range ix {
		name, desc := schema.IndexColumn(col)
		if x.Columns[i] != name || x.Descending[i] != desc {
			return false
		}
	}
	return true
}
