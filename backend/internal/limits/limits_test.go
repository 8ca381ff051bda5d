package limits

import (
	"encoding/json"
	"strings"
	"testing"

	"forma.dev/backend/internal/apperr"
	"forma.dev/shared/schema"
)

func decode(t *testing.T, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParsePatchSetsResetsAndRefuses(t *testing.T) {
	t.Parallel()
	p, probs := ParsePatch("limits", decode(t, `{"models":7,"bulk_rows":null,"fields_per_model":1600}`))
	if len(probs) != 0 || p.Set[Models] != 7 || p.Set[FieldsPerModel] != 1600 || !p.Reset[BulkRows] || p.Reset[Models] {
		t.Fatalf("%+v %v", p, probs)
	}
	own := Set{}
	own[BulkRows], own[StorageBytes] = 5, 9
	if got := p.Apply(own); got[BulkRows] != 0 || got[StorageBytes] != 9 || got[Models] != 7 {
		t.Fatalf("Apply: %v", got)
	}
	_, probs = ParsePatch("limits", decode(t, `{"models":0,"bulk_rows":10001,"storage_bytes":-5,"rows_per_model":2.0,"x":1}`))
	want := []string{"limits.bulk_rows max", "limits.models min", "limits.rows_per_model invalid_type", "limits.storage_bytes min", "limits.x unknown_field"}
	if len(probs) != len(want) {
		t.Fatalf("problems %v, want %v", probs, want)
	}
	for i, p := range probs {
		if p.Path+" "+p.Code != want[i] {
			t.Errorf("problem %d: %s %s, want %s", i, p.Path, p.Code, want[i])
		}
	}
}

func TestOverAndTheStoredForm(t *testing.T) {
	t.Parallel()
	d := Builtin()
	var own Set
	own[RequestsPerSecond] = 7
	eff := d.Over(own)
	if eff[RequestsPerSecond] != 7 || eff[Models] != d[Models] {
		t.Fatalf("Over: %v", eff)
	}
	b, _ := own.MarshalJSON()
	if string(b) != `{"requests_per_second":7}` {
		t.Fatalf("stored as %s", b)
	}
	var back Set
	if err := back.Scan([]byte(`{"requests_per_second":7,"gone":3,"models":-1,"bulk_rows":99999999}`)); err != nil || back != own {
		t.Fatalf("read back %v %v: unknown names and values out of bounds must be ignored", back, err)
	}
}

func TestCheckSchemaRefusesOnlyGrowth(t *testing.T) {
	t.Parallel()
	m := func(name string, fields int) schema.Model {
		return schema.Model{Name: name, Fields: make([]schema.Field, fields)}
	}
	var eff Set
	eff[Models], eff[FieldsPerModel] = 1, 2
	cases := []struct {
		name      string
		cur, next []schema.Model
		limit     string
	}{
		{"a first model", nil, []schema.Model{m("a", 1)}, ""},
		{"a second model", []schema.Model{m("a", 1)}, []schema.Model{m("a", 1), m("b", 1)}, "models"},
		{"over already, one dropped", []schema.Model{m("a", 1), m("b", 1), m("c", 1)}, []schema.Model{m("a", 1), m("b", 1)}, ""},
		{"a third field", []schema.Model{m("a", 2)}, []schema.Model{m("a", 3)}, "fields_per_model"},
		{"a new model too wide", nil, []schema.Model{m("a", 3)}, "fields_per_model"},
		{"over already, unchanged", []schema.Model{m("a", 5)}, []schema.Model{m("a", 5)}, ""},
		{"over already, narrower", []schema.Model{m("a", 5)}, []schema.Model{m("a", 4)}, ""},
	}
	for _, c := range cases {
		err := CheckSchema(eff, c.cur, c.next)
		got := ""
		if err != nil {
			got = apperr.As(err).Extra["limit"].(string)
		}
		if got != c.limit {
			t.Errorf("%s: refused for %q, want %q (%v)", c.name, got, c.limit, err)
		}
	}
	if err := CheckSchema(Set{}, nil, []schema.Model{m("a", 3000)}); err != nil {
		t.Errorf("no limit refused: %v", err)
	}
}
