package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"forma.dev/backend/internal/apitest"
)

// The matrix: every record route, through a role that allows only that route's action
// and through one that allows every other action, on a record inside and outside the
// role's row filter (status "open"), with the role's key and with an end-user token
// acting as it. Each cell is checked for its status and for what it wrote: a refused
// request writes nothing.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, noAuthLimit)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/task", acme.Admin,
		`{"name":"task","fields":[{"name":"title","type":"text"},{"name":"status","type":"text"}]}`)
	putHS256(t, s, acme, "")
	actions := []string{"list", "get", "create", "update", "delete"}
	rule := func(action string) string {
		switch action {
		case "delete":
			return `{"filter":{"status":"open"}}`
		default:
			return `{"filter":{"status":"open"},"fields":"*"}`
		}
	}
	callers := map[string]map[string]string{} // role → how it calls → bearer
	exp := time.Now().Add(time.Hour).Unix()
	for _, only := range actions {
		for _, role := range []string{"only_" + only, "all_but_" + only} {
			var rules []string
			for _, a := range actions {
				if (a == only) == strings.HasPrefix(role, "only_") {
					rules = append(rules, fmt.Sprintf("%q:%s", a, rule(a)))
				}
			}
			s.MustJSON(t, 201, nil, "PUT", "/api/v1/t/acme/roles/"+role, acme.Admin,
				`{"permissions":{"task":{`+strings.Join(rules, ",")+`}}}`)
			key, _ := roleKey(t, s, acme.Admin, role)
			callers[role] = map[string]string{"key": key,
				"token": sign(t, jose.HS256, []byte(tokenSecret), "", map[string]any{"sub": "u", "role": role, "exp": exp})}
		}
	}

	type route struct {
		action, method, path, body string
		// want: the status inside and outside the filter when the action is allowed
		inside, outside int
	}
	newTask := func(status string) int64 {
		var rec struct{ ID int64 }
		s.MustJSON(t, 201, &rec, "POST", "/api/v1/t/acme/data/task", acme.Write, `{"title":"t","status":"`+status+`"}`)
		return rec.ID
	}
	routes := func(id int64, status string) []route {
		p := fmt.Sprintf("/api/v1/t/acme/data/task/%d", id)
		return []route{
			{"list", "GET", "/api/v1/t/acme/data/task?limit=1000", "", 200, 200},
			{"list", "GET", "/api/v1/t/acme/data/task/aggregate?group_by=id&limit=10000", "", 200, 200}, // an id counted is one listed
			{"get", "GET", p, "", 200, 404},
			{"create", "POST", "/api/v1/t/acme/data/task", `{"title":"new","status":"` + status + `"}`, 201, 403},
			{"update", "PUT", p, `{"title":"put","status":"open"}`, 200, 404},
			{"update", "PATCH", p, `{"title":"patched"}`, 200, 404},
			{"update", "PATCH", p, `{"status":"closed"}`, 403, 404}, // leaving the filter
			{"delete", "DELETE", p, "", 204, 404},
		}
	}
	state := func() string {
		rec := s.Do("GET", "/api/v1/t/acme/data/task?limit=1000&fields=id,title,status", acme.Write, "")
		return rec.Body.String()
	}
	for role, ways := range callers {
		for how, bearer := range ways {
			for _, where := range []string{"open", "closed"} {
				for i := range routes(0, where) {
					id := newTask(where) // a fresh record per cell: cells may change or delete it
					r := routes(id, where)[i]
					allowed := strings.HasPrefix(role, "only_"+r.action) || strings.HasPrefix(role, "all_but_") && role != "all_but_"+r.action
					want := http.StatusForbidden
					if allowed && where == "open" {
						want = r.inside
					} else if allowed {
						want = r.outside
					}
					before := state()
					rec := s.Do(r.method, r.path, bearer, r.body)
					cell := fmt.Sprintf("%s as %s by %s, record %s: %s %s %s", r.action, role, how, where, r.method, r.path, r.body)
					if rec.Code != want {
						t.Errorf("%s: %d, want %d: %.300s", cell, rec.Code, want, rec.Body)
						continue
					}
					if rec.Code >= 400 && state() != before {
						t.Errorf("%s: refused, yet the records changed", cell)
					}
					if r.action == "list" && rec.Code == 200 {
						checkListed(t, cell, rec.Body.Bytes(), id, where == "open")
					}
				}
			}
		}
	}
}

// checkListed fails t unless the list answer body holds record id exactly when want.
func checkListed(t *testing.T, cell string, body []byte, id int64, want bool) {
	t.Helper()
	var page struct{ Data []struct{ ID int64 } }
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatalf("%s: %v", cell, err)
	}
	found := false
	for _, r := range page.Data {
		found = found || r.ID == id
	}
	if found != want {
		t.Errorf("%s: record %d listed %v, want %v", cell, id, found, want)
	}
}
