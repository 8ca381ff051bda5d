package httpapi

import (
	"context"
	"errors"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgconn"

	"forma.dev/backend/internal/limits"
)

// boundStatements gives a data request its tenant's statement_timeout_ms. Past it, the
// statement running is canceled in Postgres (db.Open), the transaction it was in rolls
// back, and the answer is a 504 timeout (fail). A streamed create bounds each chunk of
// its rows instead (ingest.go).
func (a *api) boundStatements(c *gin.Context) {
	ms := a.limitsOf(c)[limits.StatementTimeoutMS]
	if ms <= 0 || importFormat(c) != "" {
		c.Next()
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), time.Duration(ms)*time.Millisecond)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

// timedOut reports whether err comes of the request's deadline: Postgres canceling a
// statement (57014), or the deadline passing while it waited.
func timedOut(ctx context.Context, err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "57014"
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded)
}
