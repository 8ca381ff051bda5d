package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
)

// recoverPanics turns a panic in a handler into a logged 500 problem without internals.
func (a *api) recoverPanics(c *gin.Context) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v) // net/http's way to abort a response; let it through
		}
		a.log.ErrorContext(c.Request.Context(), "panic", "panic", fmt.Sprint(v),
			"method", c.Request.Method, "path", c.Request.URL.Path, "stack", string(debug.Stack()))
		a.writeProblem(c, http.StatusInternalServerError, string(apperr.Internal), "internal error", nil)
	}()
	c.Next()
}

// logRequests logs one line per request. Typed attributes (LogAttrs) box no value into
// an interface, which the key-value form of Log does for every one.
func (a *api) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	status := c.Writer.Status()
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelWarn
	}
	a.log.LogAttrs(c.Request.Context(), level, "request",
		slog.String("method", c.Request.Method), slog.String("path", c.Request.URL.Path), slog.String("route", c.FullPath()),
		slog.Int("status", status), slog.Int("bytes", c.Writer.Size()), slog.Duration("duration", time.Since(start)))
}

// limitBody refuses bodies larger than MaxBodyBytes (ImportMaxBytes for a streamed
// create, bodyLimit): at once when Content-Length says so, otherwise when a handler
// reads past the limit.
func (a *api) limitBody(c *gin.Context) {
	limit := a.bodyLimit(c)
	if c.Request.ContentLength > limit {
		a.fail(c, apperr.New(apperr.TooLarge, fmt.Sprintf("the body is larger than %d bytes", limit)))
		return
	}
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	c.Next()
}
