package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/db"
	"forma.dev/backend/internal/ratelimit"
)

// ProblemContentType is the media type of error responses (RFC 9457).
const ProblemContentType = "application/problem+json"

// StatusClientClosed is the status a request whose client went away is logged and
// counted with (nginx's 499): nothing is written, nobody is there to read it.
const StatusClientClosed = 499

// fail answers the request with err as a problem document and aborts the chain.
// An *apperr.Error shows its code, detail, problems and extra members. An error saying
// the database is unreachable is a 503 with Retry-After; anything else (and
// apperr.Internal) is logged in full and shown as "internal error" only. When the
// client has gone away, nothing is written and the request counts as 499; but not when
// the handler ended the body's read itself (bodyInterrupted: a streamed create past one
// of its bounds), which cancels the request's context too while the client waits.
func (a *api) fail(c *gin.Context, err error) {
	ctx := c.Request.Context()
	if errors.Is(ctx.Err(), context.Canceled) && !c.GetBool(bodyInterrupted) {
		a.log.DebugContext(ctx, "client closed request", "err", err, "method", c.Request.Method, "path", c.Request.URL.Path)
		c.Status(StatusClientClosed)
		c.Abort()
		return
	}
	e := apperr.As(err)
	switch {
	case (e == nil || e.Code == apperr.Internal) && timedOut(ctx, err):
		a.log.InfoContext(ctx, "request: past its statement timeout", "err", err, "method", c.Request.Method, "path", c.Request.URL.Path)
		e = apperr.New(apperr.Timeout, "the request ran longer than the tenant's statement timeout (statement_timeout_ms) and was stopped; nothing it was writing was kept")
	case (e == nil || e.Code == apperr.Internal) && db.Unreachable(err):
		a.log.WarnContext(ctx, "database unavailable", "err", err, "method", c.Request.Method, "path", c.Request.URL.Path)
		e = &apperr.Error{Code: apperr.Unavailable, Detail: "the database is unavailable; try again", RetryAfter: db.RetryAfter}
	case e == nil || e.Code == apperr.Internal:
		a.log.ErrorContext(ctx, "internal error", "err", err, "method", c.Request.Method, "path", c.Request.URL.Path)
		e = apperr.New(apperr.Internal, "internal error")
	case e.Err != nil:
		a.log.DebugContext(ctx, "request failed", "err", err)
	}
	doc := make(map[string]any, len(e.Extra)+6)
	for k, v := range e.Extra {
		doc[k] = v
	}
	if len(e.Problems) > 0 {
		doc["errors"] = e.Problems
	}
	if e.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(ratelimit.Seconds(e.RetryAfter)))
	}
	a.writeProblem(c, Status(e.Code), string(e.Code), e.Detail, doc)
}

// writeProblem writes a problem document with the standard members set over doc's.
func (a *api) writeProblem(c *gin.Context, status int, code, detail string, doc map[string]any) {
	if doc == nil {
		doc = map[string]any{}
	}
	doc["type"] = "about:blank"
	doc["title"] = http.StatusText(status)
	doc["status"] = status
	doc["detail"] = detail
	doc["code"] = code
	body, err := json.Marshal(doc)
	if err != nil {
		a.log.Error("render problem", "err", err)
		status = http.StatusInternalServerError
		body = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"internal error","code":"internal"}`)
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="forma"`)
	}
	c.Abort()
	if c.Writer.Written() {
		return // too late to change the answer; the error is logged
	}
	c.Data(status, ProblemContentType, body)
}

// noRoute answers every path no route matched: the designer (when Deps.UI is set) for
// GET and HEAD outside /api/, a 404 problem otherwise.
func (a *api) noRoute(c *gin.Context) {
	p := c.Request.URL.Path
	if a.UI != nil && (c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead) &&
		p != "/api" && !strings.HasPrefix(p, "/api/") {
		a.UI.ServeHTTP(c.Writer, c.Request)
		return
	}
	a.fail(c, apperr.New(apperr.NotFound, "no such route"))
}

func (a *api) noMethod(c *gin.Context) {
	a.writeProblem(c, http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed on this route", nil)
}
