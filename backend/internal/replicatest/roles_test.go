package replicatest

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/access"
)

// TestARoleChangeReachesEveryReplica: a role put or deleted through A is in B's model
// cache at once, although B's window is an hour: a role change is a schema version,
// told to every replica like a model change.
func TestARoleChangeReachesEveryReplica(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a, b := c.start("a"), c.start("b", window(time.Hour))
	waitHealthy(t, a, b)
	key, ref := eventsOnBoth(t, a, b)
	ctx := context.Background()
	var put struct{ Version int64 }
	a.must(t, http.StatusCreated, &put, "PUT", "/api/v1/t/acme/roles/viewer", key,
		`{"permissions":{"event":{"list":{"filter":{"country":"$auth.country"},"fields":["country"]}}}}`)
	eventually(t, time.Second, "B has the role", func() bool {
		s, err := b.app.Models.Get(ctx, ref)
		return err == nil && s.Version == put.Version && s.Roles["viewer"] != nil &&
			len(s.Roles["viewer"].Permissions["event"]) == 1
	})
	a.must(t, http.StatusNoContent, nil, "DELETE", "/api/v1/t/acme/roles/viewer", key, "")
	eventually(t, time.Second, "B forgets the role", func() bool {
		s, err := b.app.Models.Get(ctx, ref)
		return err == nil && s.Version == put.Version+1 && len(s.Roles) == 0
	})
	// A replica that starts now fills its cache from the Redis snapshot, roles included.
	a.must(t, http.StatusCreated, &put, "PUT", "/api/v1/t/acme/roles/viewer", key,
		`{"permissions":{"event":{"get":{"fields":"*"}}}}`)
	cold := c.start("c", window(time.Hour))
	waitHealthy(t, cold)
	s, err := cold.app.Models.Get(ctx, ref)
	if err != nil || s.Version != put.Version || s.Roles["viewer"] == nil {
		t.Fatalf("a cold replica: %+v, %v", s, err)
	}
	if st := cold.app.Models.Stats(); st.RedisLoads != 1 {
		t.Fatalf("the cold replica did not load from Redis: %+v", st)
	}
}

// TestARoleKeepsItsBigIntegersOnEveryReplica: 2^53+1 in a rule is the same number in
// the model cache of the replica that put it, of one told of the change and of a cold one
// that loads the Redis snapshot: roles are decoded with numbers as json.Number wherever
// they are read back.
func TestARoleKeepsItsBigIntegersOnEveryReplica(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a, b := c.start("a"), c.start("b", window(time.Hour))
	waitHealthy(t, a, b)
	key, ref := eventsOnBoth(t, a, b)
	ctx := context.Background()
	const big = "9007199254740993"
	var put struct{ Version int64 }
	a.must(t, http.StatusCreated, &put, "PUT", "/api/v1/t/acme/roles/big", key,
		`{"permissions":{"event":{"list":{"filter":{"id__in":[`+big+`]},"fields":"*"}}}}`)
	cold := c.start("c", window(time.Hour))
	waitHealthy(t, cold)
	for _, r := range []*replica{a, b, cold} {
		var got string
		eventually(t, time.Second, r.name+" has the role", func() bool {
			s, err := r.app.Models.Get(ctx, ref)
			if err != nil || s.Version != put.Version || s.Roles["big"] == nil {
				return false
			}
			got = fmt.Sprint(s.Roles["big"].Permissions["event"][access.List].Filter[0].Values...)
			return true
		})
		if got != big {
			t.Fatalf("on %s the rule holds %s", r.name, got)
		}
	}
	if st := cold.app.Models.Stats(); st.RedisLoads != 1 {
		t.Fatalf("the cold replica did not load from Redis: %+v", st)
	}
}

// eventsOnBoth makes the tenant acme with the Event model through a, has b cache its
// models, and answers acme's admin key and reference.
func eventsOnBoth(t *testing.T, a, b *replica) (string, tenantref.Ref) {
	t.Helper()
	key := newTenant(t, a, "acme")
	putEvent(t, a, "acme", key)
	var ref tenantref.Ref
	if err := a.app.DB.NewRaw("SELECT id, schema_name FROM forma.tenants WHERE slug = 'acme'").
		Scan(context.Background(), &ref.ID, &ref.Schema); err != nil {
		t.Fatal(err)
	}
	b.must(t, http.StatusOK, nil, "GET", "/api/v1/t/acme/data/event", key, "") // B caches the models
	return key, ref
}
