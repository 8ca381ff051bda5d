package replicatest

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// TestReadYourWritesAcrossReplicas: a client that changes the model through one replica
// and sends the version it got (Forma-Schema-Version) to B is served by B with that
// version or later, every time, although B's window is an hour and, for the changes
// made through L, B never gets a notice.
func TestReadYourWritesAcrossReplicas(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a, b := c.start("a"), c.start("b", window(time.Hour))
	lost := c.start("l", prefix(c.prefix+"elsewhere:"))
	waitHealthy(t, a, b, lost)
	key := newTenant(t, a, "acme")
	putEvent(t, a, "acme", key)
	var fields []string
	for i := range rounds(30) {
		writer := lost
		if i%3 == 2 {
			writer = a
		}
		b.must(t, http.StatusOK, nil, "GET", "/api/v1/t/acme/data/event", key, "") // B caches what it has
		field := "ryw" + strconv.Itoa(i)
		fields = append(fields, field)
		v := putEvent(t, writer, "acme", key, fields...)
		var rec record
		writer.must(t, http.StatusCreated, &rec, "POST", "/api/v1/t/acme/data/event", key, `{"country":"PL","`+field+`":"mine"}`)
		min := []string{versionHeader, strconv.FormatInt(v, 10)}
		var got record
		r := b.must(t, http.StatusOK, &got, "GET", "/api/v1/t/acme/data/event/"+rec.id(), key, "", min...)
		if r.version() < v || got[field] != "mine" {
			t.Fatalf("round %d (%s's PUT made v%d): B answered with v%d: %s", i, writer.name, v, r.version(), r)
		}
		if l := b.must(t, http.StatusOK, nil, "GET", "/api/v1/t/acme/data/event?"+field+"=mine", key, "", min...); l.version() < v {
			t.Fatalf("round %d: B listed with v%d, want v%d or later", i, l.version(), v)
		}
	}
	if st := b.app.Models.Stats(); st.Hits == 0 {
		t.Fatalf("B never served from its cache: %+v", st)
	}
}
