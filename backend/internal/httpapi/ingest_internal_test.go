package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestStreamedCreatesAreAKindOfTheirOwn: a streamed create's share kind is not its
// model's JSON creates' (whose average it would make slow), and is the same for every
// streamed create of a format.
func TestStreamedCreatesAreAKindOfTheirOwn(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	var kinds []uint64
	r.POST(dataRoute, func(c *gin.Context) { kinds = append(kinds, shareKind(c)) })
	for _, ctype := range []string{"application/json", "text/csv", "text/csv; charset=utf-8", "application/x-ndjson", ""} {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/t/acme/data/event", strings.NewReader("x"))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		r.ServeHTTP(httptest.NewRecorder(), req)
	}
	if len(kinds) != 5 || kinds[0] == kinds[1] || kinds[1] != kinds[2] || kinds[3] == kinds[0] || kinds[3] == kinds[1] || kinds[4] != kinds[0] {
		t.Fatalf("kinds %v", kinds)
	}
}
