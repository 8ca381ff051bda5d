package httpapi

import (
	"context"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"forma.dev/backend/internal/auth"
	"forma.dev/backend/internal/limits"
	"forma.dev/backend/internal/tenant"
)

// TestAQuotaNotMeasuredIsA503: a create whose tenant's usage cannot be measured, because
// Postgres is away or for any other reason, is a 503 with Retry-After, never a 500.
func TestAQuotaNotMeasuredIsA503(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	pool, err := pgxpool.New(context.Background(), "postgres://postgres@"+addr+"/x?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	away := bun.NewDB(stdlib.OpenDBFromPool(pool), pgdialect.New())
	closed := bun.NewDB(stdlib.OpenDBFromPool(pool), pgdialect.New())
	_ = closed.Close() // "sql: database is closed": not a database away, still no 500
	t.Cleanup(func() { _ = away.Close(); pool.Close() })
	var eff limits.Set
	eff[limits.RowsPerModel] = 3
	for name, db := range map[string]*bun.DB{"away": away, "closed": closed} {
		svc := tenant.NewService(db, auth.NewStore(db, time.Second))
		h := New(Deps{})
		a := &api{Deps: Deps{Tenants: svc, TenantLimits: eff}, log: slog.New(slog.DiscardHandler), quotas: newQuotas(svc)}
		h.(*gin.Engine).POST("/data/:model", func(c *gin.Context) {
			if _, err := a.admitRows(c, 1); err != nil {
				a.fail(c, err)
				return
			}
			c.Status(201)
		})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/data/event", nil))
		if rec.Code != 503 || rec.Header().Get("Retry-After") != "1" || !strings.Contains(rec.Body.String(), `"code":"unavailable"`) {
			t.Errorf("%s: status %d, Retry-After %q: %s", name, rec.Code, rec.Header().Get("Retry-After"), rec.Body)
		}
	}
}
