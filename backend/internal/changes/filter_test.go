package changes_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// The list filters narrow a stream and fields trims it, in the order asked; a change
// that leaves the filter's records (an update away from it) is not sent.
func TestFiltersNarrowAndFieldsTrim(t *testing.T) {
	t.Parallel()
	s := start(t)
	st := s.open(t, "/data/orders/changes?country=PL&amount__gte=10&fields=note,id", s.tenant.Read)
	st.next(t) // ready
	s.write(t, "POST", "", `{"country":"DE","amount":50,"note":"de"}`)
	s.write(t, "POST", "", `{"country":"PL","amount":5,"note":"small"}`)
	s.write(t, "POST", "", `{"country":"PL","amount":50,"note":"yes"}`)
	ev := st.next(t)
	if ev.Name != "record.created" {
		t.Fatalf("got %+v", ev)
	}
	var d struct {
		Record json.RawMessage `json:"record"`
	}
	_ = json.Unmarshal([]byte(ev.Data), &d)
	if string(d.Record) != `{"note":"yes","id":3}` {
		t.Fatalf("record %s, want only note and id, in that order", d.Record)
	}
	st.quiet(t, 300*time.Millisecond)
}

// A custom role sees on its stream only the records it could get, trimmed to the fields
// it may read; its filter and fields are refused as its list would refuse them.
func TestCustomRoleSeesOnlyWhatItMayGet(t *testing.T) {
	t.Parallel()
	s := start(t)
	admin := s.tenant.Admin
	s.MustJSON(t, http.StatusCreated, nil, "PUT", "/api/v1/t/acme/roles/pl", admin,
		`{"permissions":{"orders":{"get":{"filter":{"country":"PL"},"fields":["id","country","amount"]}}}}`)
	s.MustJSON(t, http.StatusCreated, nil, "PUT", "/api/v1/t/acme/roles/none", admin,
		`{"permissions":{"orders":{"create":{"fields":"*"}}}}`)
	var pl, none struct{ Key string }
	s.MustJSON(t, http.StatusCreated, &pl, "POST", "/api/v1/t/acme/keys", admin, `{"name":"pl","role":"pl"}`)
	s.MustJSON(t, http.StatusCreated, &none, "POST", "/api/v1/t/acme/keys", admin, `{"name":"none","role":"none"}`)

	st := s.open(t, "/data/orders/changes", pl.Key)
	st.next(t)
	s.write(t, "POST", "", `{"country":"DE","amount":1,"note":"secret"}`)
	s.write(t, "POST", "", `{"country":"PL","amount":2,"note":"secret"}`)
	ev := st.next(t)
	r := ev.record(t)
	if r["country"] != "PL" || r["amount"] != 2.0 || r["note"] != nil || len(r) != 3 {
		t.Fatalf("role pl got %s", ev.Data)
	}
	st.quiet(t, 300*time.Millisecond)

	for _, c := range []struct {
		path, key string
		status    int
	}{
		{"/data/orders/changes?note=x", pl.Key, http.StatusBadRequest},                // a field it cannot read
		{"/data/orders/changes?fields=note", pl.Key, http.StatusBadRequest},           // the same, in fields
		{"/data/orders/changes", none.Key, http.StatusForbidden},                      // no get rule
		{"/data/nosuch/changes", none.Key, http.StatusForbidden},                      // a model it is not told of
		{"/data/orders/changes?country__xx=PL", s.tenant.Read, http.StatusBadRequest}, // a lookup the list refuses
	} {
		if _, res := s.try(t, c.path, c.key); res == nil || res.StatusCode != c.status {
			t.Errorf("GET %s: %v, want %d", c.path, res, c.status)
		}
	}
}
