package httpapi

import (
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/shared/problem"
)

// anyParam marks a route whose query string is its own language (the list filters):
// the handler checks every parameter itself.
const anyParam = "*"

// queryParams lists the query parameters each API route takes, by "METHOD route". A
// route not listed takes none, so a parameter a client thinks does something (a filter
// on a delete, a misspelt confirm) is refused rather than silently ignored.
var queryParams = map[string][]string{
	"GET /api/v1/t/:tenant/data/:model":                    {anyParam},
	"GET /api/v1/t/:tenant/data/:model/:id":                {"expand"},
	"DELETE /api/v1/tenants/:slug":                         {"confirm"},
	"PUT /api/v1/t/:tenant/models/:model":                  {"allow_data_loss"},
	"DELETE /api/v1/t/:tenant/models/:model":               {"allow_data_loss"},
	"POST /api/v1/t/:tenant/models/:model/plan":            {"allow_data_loss"},
	"POST /api/v1/t/:tenant/models/:model/fields":          {"allow_data_loss"},
	"PATCH /api/v1/t/:tenant/models/:model/fields/:field":  {"allow_data_loss"},
	"DELETE /api/v1/t/:tenant/models/:model/fields/:field": {"allow_data_loss"},
	"PUT /api/v1/t/:tenant/schema":                         {"allow_data_loss"},
	"POST /api/v1/t/:tenant/schema/plan":                   {"allow_data_loss"},
	"GET /api/v1/t/:tenant/schema/history":                 {"limit", "before"},
	"GET /api/v1/t/:tenant/webhooks/:id/deliveries":        {"limit", "cursor"},
}

// checkQuery refuses, on API routes, a query string that cannot be decoded and any
// parameter the route does not take, naming each one.
func (a *api) checkQuery(c *gin.Context) {
	route := c.FullPath()
	raw := c.Request.URL.RawQuery
	if raw == "" || !strings.HasPrefix(route, "/api/") {
		c.Next()
		return
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		a.fail(c, apperr.Validation("the query string cannot be decoded",
			problem.List{problem.New("query", problem.InvalidFormat, map[string]any{"format": "application/x-www-form-urlencoded with valid percent-escapes"})}))
		return
	}
	allowed := queryParams[c.Request.Method+" "+route]
	if len(allowed) == 1 && allowed[0] == anyParam {
		c.Next()
		return
	}
	var probs problem.List
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !slices.Contains(allowed, name) {
			probs = append(probs, problem.Problem{Path: name, Code: problem.NotAllowed,
				Message: "is not a query parameter of this route", Params: map[string]any{"attribute": name}})
		}
	}
	if len(probs) > 0 {
		a.fail(c, apperr.Validation("this route does not take these query parameters", probs))
		return
	}
	c.Next()
}
