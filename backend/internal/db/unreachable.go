package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unreachable reports whether err says the database is not there: it refused or
// dropped the connection, is shutting down or starting up, or the connection broke.
// Such a request may succeed when sent again a moment later (503 with Retry-After),
// unlike a refusal of the request itself or a bug. A context's end is not one: the
// caller gave up, the database did not go away.
func Unreachable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) { // Postgres answered: its code says whether it is going away
		return unreachableCode(pg.Code)
	}
	var connect *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connect), errors.Is(err, pgconn.ErrConnClosed),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone):
		return true
	case errors.As(err, &netErr): // refused, reset, broken pipe, no route
		return true
	}
	return false
}

// unreachableCode: connection exceptions (08), the server shutting down or starting up
// (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now), and no
// connection slot left (53300 too_many_connections).
func unreachableCode(code string) bool {
	return strings.HasPrefix(code, "08") || code == "57P01" || code == "57P02" || code == "57P03" || code == "53300"
}

// RetryAfter is how long a client is asked to wait before sending again a request that
// met an unreachable database: replicas reconnect as soon as it answers.
const RetryAfter = time.Second
