package httpapi

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/shared/problem"
)

// queryFormat is what a query string must be, as a problem's params.format says it.
const queryFormat = "query string: name=value pairs separated by &, percent-encoded UTF-8"

// checkQuery refuses a query string that cannot be decoded whole. url.Values drops the
// pairs it cannot decode (a bad %-escape, a ;) without a word, and a dropped filter
// would widen a list; so such a query is a 400 naming the parameter. A query without
// %, ; or a byte outside ASCII decodes whole, and costs one scan.
func (a *api) checkQuery(c *gin.Context) {
	raw := c.Request.URL.RawQuery
	for i := 0; i < len(raw); i++ {
		if b := raw[i]; b == '%' || b == ';' || b >= utf8.RuneSelf {
			if p := badQueryPair(raw); p != nil {
				a.fail(c, apperr.Validation("the query string cannot be decoded", problem.List{*p}))
				return
			}
			break
		}
	}
	c.Next()
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
