package records_test

import (
	"context"
	"encoding/json"
	"net/url"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"forma.dev/backend/internal/cpuclock"
	"forma.dev/backend/internal/records"
)

// BenchmarkRoleReads compares, through Service as the handlers call it, a get and a list
// of 20 by a built-in role (a write key: no rules) with the same requests by a custom
// role whose rules have a row filter on a variable and a list of read fields. The aim is
// the role at 90% or more of the built-in role's throughput. Run it alone:
//
//	go test ./internal/records -run '^$' -bench RoleReads -count 6 | benchstat
//
// Over HTTP, under load: make bench-roles.
func BenchmarkRoleReads(b *testing.B) {
	s, ten := rolesService(b)
	ctx := context.Background()
	var rows []map[string]any
	for i := range 200 {
		owner := "key:7"
		if i%2 == 1 {
			owner = "key:8"
		}
		rows = append(rows, map[string]any{"title": "t", "body": "b", "status": "published", "owner": owner, "rank": json.Number(strconv.Itoa(i))})
	}
	if _, err := s.Create(ctx, ten, admin, "post", rows, 0); err != nil {
		b.Fatal(err)
	}
	// team: owner = $auth.team.owner AND rank <= $auth.max_rank, every field
	role := records.Caller{Role: "team", Vars: map[string]any{"team": map[string]any{"owner": "key:7"}, "max_rank": 1e9}}
	listQuery := url.Values{"limit": {"20"}}
	for _, c := range []struct {
		name   string
		caller records.Caller
	}{{"write-key", admin}, {"role-filter", role}} {
		b.Run("list20/"+c.name, func(b *testing.B) {
			defer cpuclock.Report(b)()
			for b.Loop() {
				if res, err := s.List(ctx, ten, c.caller, "post", listQuery, 0); err != nil || len(res.Page.Data) != 20 {
					b.Fatal(err)
				}
			}
		})
	}
	// viewer's get: status = 'published', four read fields
	for _, c := range []struct {
		name   string
		caller records.Caller
	}{{"write-key", admin}, {"role-filter", key7}} {
		b.Run("get/"+c.name, func(b *testing.B) {
			defer cpuclock.Report(b)()
			for i := 0; b.Loop(); i++ {
				if _, err := s.Get(ctx, ten, c.caller, "post", int64(5+i%200), "", 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// the same gets by 32 clients at once, as make bench-roles runs them: built-in gets
	// and a role's go batched, several ids to a statement
	for _, c := range []struct {
		name   string
		caller records.Caller
	}{{"write-key", admin}, {"role-filter", key7}} {
		b.Run("get32/"+c.name, func(b *testing.B) {
			defer cpuclock.Report(b)()
			var n atomic.Int64
			b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.Get(ctx, ten, c.caller, "post", 5+n.Add(1)%200, "", 0); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
