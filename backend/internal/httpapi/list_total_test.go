package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"forma.dev/backend/internal/apitest"
	"forma.dev/backend/internal/config"
)

type totalPage struct {
	Data           []map[string]any
	NextCursor     *string `json:"next_cursor"`
	Total          *int64
	TotalEstimated *bool `json:"total_estimated"`
}

// TestListTotals: ?total=true counts what the filters select, not the page nor the
// cursor, exactly up to FORMA_TOTAL_EXACT_MAX and past it as the planner's estimate,
// marked so; other values are refused; a field named total keeps its filter.
func TestListTotals(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, func(c *config.Config) { c.TotalExactMax = 50 })
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/owner", acme.Admin, ownerModel)
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin, eventModel)
	body := "country,value\n" + strings.Repeat("PL,1\n", 70) + strings.Repeat("DE,2\n", 50)
	if res := postRows(s, acme.Write, "event", csvBody, strings.NewReader(body)); res.Code != 201 {
		t.Fatalf("%d %s", res.Code, res.Body)
	}
	get := func(q string) totalPage {
		t.Helper()
		var p totalPage
		s.MustJSON(t, 200, &p, "GET", "/api/v1/t/acme/data/event?"+q, acme.Read, "")
		return p
	}
	p := get("total=true&country=DE&limit=20")
	if len(p.Data) != 20 || p.Total == nil || *p.Total != 50 || p.TotalEstimated == nil || *p.TotalEstimated || p.NextCursor == nil {
		t.Fatalf("exact: %+v", p)
	}
	p2 := get("total=true&country=DE&limit=20&cursor=" + *p.NextCursor)
	if len(p2.Data) != 20 || p2.Total == nil || *p2.Total != 50 {
		t.Fatalf("second page: %+v", p2)
	}
	if p := get("total=true&value__gt=5"); p.Total == nil || *p.Total != 0 || *p.TotalEstimated || len(p.Data) != 0 {
		t.Fatalf("none: %+v", p)
	}
	if p := get("total=false&limit=1"); p.Total != nil || p.TotalEstimated != nil {
		t.Fatalf("total=false: %+v", p)
	}
	if _, err := s.App.DB.ExecContext(context.Background(), `ANALYZE t1_acme.event`); err != nil {
		t.Fatal(err)
	}
	if p := get("total=true&limit=1"); p.Total == nil || *p.Total != 120 || !*p.TotalEstimated {
		t.Fatalf("estimated: %+v", p)
	}
	if p := get("total=true&country=PL&limit=1"); p.Total == nil || *p.Total < 51 || !*p.TotalEstimated {
		t.Fatalf("estimated, at least the bound: %+v", p)
	}
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "yes", Method: "GET", Path: "/api/v1/t/acme/data/event?total=yes", Key: acme.Read, Status: 400,
			Contains: []string{`"path":"total","code":"choice"`}},
		{Name: "twice", Method: "GET", Path: "/api/v1/t/acme/data/event?total=true&total=true", Key: acme.Read, Status: 400,
			Contains: []string{`"path":"total","code":"duplicate"`}},
		{Name: "absent", Method: "GET", Path: "/api/v1/t/acme/data/event?limit=1", Key: acme.Read, Status: 200,
			Excludes: []string{`"total"`}},
	})
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/invoice", acme.Admin, `{"name":"invoice","fields":[{"name":"total","type":"integer"}]}`)
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/invoice", acme.Write, `[{"total":5},{"total":7}]`)
	var inv totalPage
	s.MustJSON(t, 200, &inv, "GET", "/api/v1/t/acme/data/invoice?total=7", acme.Read, "")
	if len(inv.Data) != 1 || inv.Total != nil {
		t.Fatalf("a field named total: %+v", inv)
	}
}

// TestListTotalsOfACustomRole: a custom role's total counts what its list rule lets it
// see; a role whose filter admits nothing for the caller counts 0.
func TestListTotalsOfACustomRole(t *testing.T) {
	t.Parallel()
	s, acme, author, reader, _ := rolesServer(t)
	var b strings.Builder
	for i := range 30 {
		status := "draft"
		if i%3 == 0 {
			status = "published"
		}
		fmt.Fprintf(&b, `{"title":"t%d","status":"%s","owner":"o"}`+"\n", i, status)
	}
	if res := postRows(s, acme.Write, "post", ndjson, strings.NewReader(b.String())); res.Code != 201 {
		t.Fatalf("%d %s", res.Code, res.Body)
	}
	team, _ := roleKey(t, s, acme.Admin, "team")
	for _, sc := range []struct {
		name, key, q string
		want         int64
	}{
		{"write", acme.Write, "", 30},
		{"author: published only", author, "", 10},
		{"author, filtered", author, "&title=t3", 1},
		{"reader: every post", reader, "", 30},
		{"team: no org.owner", team, "", 0},
	} {
		var p totalPage
		s.MustJSON(t, 200, &p, "GET", "/api/v1/t/acme/data/post?total=true&limit=2"+sc.q, sc.key, "")
		if p.Total == nil || *p.Total != sc.want || *p.TotalEstimated {
			t.Errorf("%s: total %v, want %d", sc.name, p.Total, sc.want)
		}
	}
}
