package httpapi

import (
	"net/url"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/shared/problem"
)

// queryFormat is what a query string must be, as a problem's params.format says it.
const queryFormat = "query string: name=value pairs separated by &, percent-encoded UTF-8"

// anyParam marks a route whose query string is its own language (the list filters):
// the handler checks every parameter itself.
const anyParam = "*"

// queryParams lists the query parameters each API route takes, by "METHOD route". An
// API route not listed takes none, so a parameter a client thinks does something (a
// filter on a delete, a misspelt confirm) is refused rather than silently ignored.
var queryParams = map[string][]string{
	"GET /api/v1/t/:tenant/data/:model":                    {anyParam},
	"GET /api/v1/t/:tenant/data/:model/:id":                {"expand"},
	"GET /api/v1/t/:tenant/data/:model/export":             {anyParam},
	"GET /api/v1/t/:tenant/data/:model/aggregate":          {anyParam},
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

// checkQuery refuses a query string that cannot be decoded whole and, on API routes,
// any parameter the route does not take, naming each. url.Values drops the pairs it
// cannot decode (a bad %-escape, a ;) without a word, and a dropped filter would widen
// a list. A query without %, ; or a byte outside ASCII decodes whole, and costs one scan.
func (a *api) checkQuery(c *gin.Context) {
	raw := c.Request.URL.RawQuery
	if raw == "" {
		c.Next()
		return
	}
	for i := 0; i < len(raw); i++ {
		if b := raw[i]; b == '%' || b == ';' || b >= utf8.RuneSelf {
			if p := badQueryPair(raw); p != nil {
				a.fail(c, apperr.Validation("the query string cannot be decoded", problem.List{*p}))
				return
			}
			break
		}
	}
	if probs := unknownParams(c.Request.Method, c.FullPath(), raw); len(probs) > 0 {
		a.fail(c, apperr.Validation("this route does not take these query parameters", probs))
		return
	}
	c.Next()
}

// unknownParams lists the parameters of an API route's query that it does not take.
func unknownParams(method, route, raw string) problem.List {
	allowed := queryParams[method+" "+route]
	if !strings.HasPrefix(route, "/api/") || slices.Equal(allowed, []string{anyParam}) {
		return nil
	}
	q, _ := url.ParseQuery(raw) // decodable: checked before
	names := make([]string, 0, len(q))
	for name := range q {
		if !slices.Contains(allowed, name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var probs problem.List
	for _, name := range names {
		probs = append(probs, problem.Problem{Path: name, Code: problem.NotAllowed,
			Message: "is not a query parameter of this route", Params: map[string]any{"attribute": name}})
	}
	return probs
}

// badQueryPair returns a problem for the first pair of raw that does not decode to
// UTF-8, named by its parameter (as sent, when the name itself does not decode).
func badQueryPair(raw string) *problem.Problem {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(name)
		nameOK := err == nil && utf8.ValidString(key)
		if !nameOK {
			key = name
		}
		if !nameOK || strings.Contains(pair, ";") || !validQueryValue(value) {
			p := problem.New(key, problem.InvalidFormat, map[string]any{"format": queryFormat})
			return &p
		}
	}
	return nil
}

func validQueryValue(v string) bool {
	s, err := url.QueryUnescape(v)
	return err == nil && utf8.ValidString(s)
}
