package replicatest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestAddOnAWriteThroughBAtOnce: every round B holds the current model, A adds a field,
// and a write naming the new field goes through B at once: 201 every time, served
// with A's version or later, and B reads the field back.
func TestAddOnAWriteThroughBAtOnce(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a, b := c.start("a"), c.start("b")
	waitHealthy(t, a, b)
	key := newTenant(t, a, "acme")
	putEvent(t, a, "acme", key)
	for i := range rounds(50) {
		b.must(t, http.StatusOK, nil, "GET", "/api/v1/t/acme/data/event?limit=1", key, "") // B caches the current model
		field := fmt.Sprintf("f%d", i)
		v := addField(t, a, "acme", key, field)
		var rec record
		w := b.must(t, http.StatusCreated, &rec, "POST", "/api/v1/t/acme/data/event", key,
			`{"country":"PL","`+field+`":"v`+field+`"}`)
		if w.version() < v || rec[field] != "v"+field {
			t.Fatalf("round %d: B wrote with v%d (A made v%d): %s", i, w.version(), v, w)
		}
		var got record
		b.must(t, http.StatusOK, &got, "GET", "/api/v1/t/acme/data/event/"+rec.id(), key, "")
		if got[field] != "v"+field {
			t.Fatalf("round %d: B reads back %v", i, got)
		}
	}
	t.Logf("B's cache: %+v", b.app.Models.Stats())
}

// TestDropOnAWriteThroughBIsA400: a field dropped through A and then named in a write
// through B (which held the model with that field) is a clear 400 unknown_field, never a
// 500; writes without it go on; a model deleted through A is a 404 on B.
func TestDropOnAWriteThroughBIsA400(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a, b := c.start("a"), c.start("b")
	waitHealthy(t, a, b)
	key := newTenant(t, a, "acme")
	putEvent(t, a, "acme", key)
	for i := range rounds(20) {
		field := fmt.Sprintf("gone%d", i)
		addField(t, a, "acme", key, field)
		var rec record
		b.must(t, http.StatusCreated, &rec, "POST", "/api/v1/t/acme/data/event", key, `{"country":"PL","`+field+`":"x"}`)
		dropField(t, a, "acme", key, field)
		w := b.do(t, "POST", "/api/v1/t/acme/data/event", key, `{"country":"DE","`+field+`":"x"}`)
		mustUnknownField(t, w, field)
		p := b.do(t, "PATCH", "/api/v1/t/acme/data/event/"+rec.id(), key, `{"`+field+`":"y"}`)
		mustUnknownField(t, p, field)
		var got record
		b.must(t, http.StatusCreated, &got, "POST", "/api/v1/t/acme/data/event", key, `{"country":"DE"}`)
		if _, ok := got[field]; ok {
			t.Fatalf("round %d: B still shows the dropped field: %v", i, got)
		}
	}
	a.must(t, http.StatusOK, nil, "DELETE", "/api/v1/t/acme/models/event?allow_data_loss=true", key, "")
	for _, w := range []answer{
		b.do(t, "POST", "/api/v1/t/acme/data/event", key, `{"country":"PL"}`),
		b.do(t, "GET", "/api/v1/t/acme/data/event", key, ""),
	} {
		if w.status != http.StatusNotFound {
			t.Fatalf("model deleted on A: %s (want 404)", w)
		}
	}
}

// mustUnknownField fails unless w is a 400 problem naming field as unknown_field.
func mustUnknownField(t *testing.T, w answer, field string) {
	t.Helper()
	var p struct {
		Errors []struct{ Path, Code string } `json:"errors"`
	}
	if w.status != http.StatusBadRequest || !strings.HasPrefix(w.header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("%s (want a 400 problem)", w)
	}
	if err := json.Unmarshal(w.body, &p); err != nil || len(p.Errors) != 1 ||
		p.Errors[0].Path != field || p.Errors[0].Code != "unknown_field" {
		t.Fatalf("%s (want unknown_field at %s)", w, field)
	}
}
