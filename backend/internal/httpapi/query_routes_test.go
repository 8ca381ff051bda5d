package httpapi_test

import (
	"testing"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apitest"
	"forma.dev/backend/internal/httpapi"
)

// Every route the query check lists its parameters for exists: a route renamed or
// misspelt there would refuse every parameter it takes.
func TestQueryParamsNameRoutesThatExist(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	routes := map[string]bool{}
	for _, r := range s.App.Handler.(*gin.Engine).Routes() {
		routes[r.Method+" "+r.Path] = true
	}
	for _, route := range httpapi.QueryParamRoutes() {
		if !routes[route] {
			t.Errorf("queryParams names %q, which is not a route", route)
		}
	}
}
