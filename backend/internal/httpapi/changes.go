package httpapi

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/auth"
	"forma.dev/backend/internal/changes"
	"forma.dev/backend/internal/tokens"
	"forma.dev/shared/problem"
)

// The keys of the request's concurrent_requests counter (limitTenant) and of whether
// the request gave its slot back already (releaseInflight).
const (
	ctxInflight         = "forma.inflight"
	ctxInflightReleased = "forma.inflight.released"
)

// releaseInflight gives the request's concurrent_requests slot back before it ends.
func releaseInflight(c *gin.Context) {
	if n, ok := c.Get(ctxInflight); ok && !c.GetBool(ctxInflightReleased) {
		c.Set(ctxInflightReleased, true)
		n.(*atomic.Int64).Add(-1)
	}
}

// recheckEvery is how often a stream checks that its key or token is still good and
// that the tenant's schema has not moved on: a revoked key's streams end within the
// key cache's TTL (FORMA_KEY_CACHE_TTL) and this.
const recheckEvery = time.Second

// streamChanges streams the changes of a model as Server-Sent Events (changes package):
// every problem with the request (a filter the list would refuse, a bad Last-Event-ID,
// too many streams) is answered before the stream opens. An open stream counts against
// neither the tenant's concurrent_requests (its slot is given back once open) nor its
// share of the database, and runs under no statement timeout: it holds no connection
// while it waits, and its reads are the feed's, one per model and replica. The server's
// write timeout is per write (app/server.go), which the heartbeat keeps well within.
func (a *api) streamChanges(c *gin.Context) {
	if a.Changes == nil {
		a.fail(c, apperr.New(apperr.NotFound, "change streams are not served here"))
		return
	}
	ctx := c.Request.Context()
	minV, err := minVersion(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	t, model := schemaTenant(c), c.Param("model")
	rf, err := a.Records.ChangeFilter(ctx, t, callerOf(c), model, c.Request.URL.Query(), minV)
	if err != nil {
		a.fail(c, err)
		return
	}
	st, first, err := a.Changes.Subscribe(ctx, t.ID, model, rf, c.GetHeader("Last-Event-ID"))
	if err != nil {
		a.fail(c, err)
		return
	}
	a.serveStream(c, st, first, rf.Version, true)
}

// streamSchema streams the tenant's schema changes (version and plan) as Server-Sent
// Events, to admin keys, and with records=true every model's record changes as well
// (whole: an admin key may read every field); as streamChanges does a model's records.
func (a *api) streamSchema(c *gin.Context) {
	if a.Changes == nil {
		a.fail(c, apperr.New(apperr.NotFound, "change streams are not served here"))
		return
	}
	ctx := c.Request.Context()
	var withRecords bool
	if v, ok := c.GetQuery("records"); ok {
		var err error
		if withRecords, err = strconv.ParseBool(v); err != nil {
			a.fail(c, apperr.Validation("the query is not valid", problem.List{problem.New("records", problem.InvalidType,
				map[string]any{"expected": "true or false"})}))
			return
		}
	}
	t := schemaTenant(c)
	ts, err := a.Records.Catalog.Get(ctx, t, 0)
	if err != nil {
		a.fail(c, err)
		return
	}
	st, first, err := a.Changes.SubscribeSchema(ctx, t.ID, ts.Version, withRecords, c.GetHeader("Last-Event-ID"))
	if err != nil {
		a.fail(c, err)
		return
	}
	a.serveStream(c, st, first, ts.Version, false)
}

// serveStream sends an open stream's events until the client leaves, the service ends
// it, or streamStale does; a schema change past version ends it when endOnSchema.
func (a *api) serveStream(c *gin.Context, st *changes.Stream, first changes.Event, version int64, endOnSchema bool) {
	ctx := c.Request.Context()
	defer a.Changes.Close(st)
	releaseInflight(c)
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	h.Set(SchemaVersionHeader, strconv.FormatInt(version, 10))
	c.Status(http.StatusOK)
	w := c.Writer // buffered by net/http: an event is one flush, one write to the connection
	last := first.ID
	send := func(ev changes.Event) bool {
		err := writeEvent(w, ev)
		if ev.ID != "" {
			last = ev.ID
		}
		w.Flush()
		return err == nil
	}
	c.Writer.WriteHeaderNow()
	c.Writer.Flush()
	if wait := time.Until(st.Ready()); wait > 0 {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
	if !send(first) {
		return
	}
	beat := time.NewTicker(a.Changes.Options().Heartbeat)
	defer beat.Stop()
	recheck := time.NewTicker(recheckEvery)
	defer recheck.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-st.Wait():
			evs, end := st.Take()
			for _, ev := range evs {
				if !send(ev) {
					return
				}
			}
			if end != nil {
				send(*end)
				return
			}
		case <-beat.C:
			if _, err := w.WriteString(": heartbeat\n\n"); err != nil {
				return
			}
			w.Flush()
		case <-recheck.C:
			if reason := a.streamStale(ctx, c, version, endOnSchema); reason != "" {
				send(changes.Event{Name: changes.EventEnd, ID: last, Data: []byte(`{"reason":"` + reason + `"}`)})
				return
			}
		}
	}
}

// streamStale says why an open stream must end: its key or token no longer admits it
// ("unauthorized"), or the tenant's schema (its roles with it) moved past version
// ("schema_changed": reopened, the stream is compiled again; only when endOnSchema).
// "" while neither.
func (a *api) streamStale(ctx context.Context, c *gin.Context, version int64, endOnSchema bool) string {
	p, token := PrincipalOf(c), bearer(c)
	var err error
	if a.Tokens != nil && tokens.LooksLikeJWT(token) {
		_, err = a.Tokens.Authenticate(ctx, c.Param("tenant"), token)
	} else {
		var now auth.Principal
		now, err = a.Keys.Authenticate(ctx, token)
		if err == nil && (now.Role != p.Role || now.Tenant.ID != p.Tenant.ID) {
			err = apperr.New(apperr.Unauthorized, "the key changed")
		}
	}
	if e := apperr.As(err); e != nil && e.Code != apperr.Unavailable && e.Code != apperr.Internal && e.Code != apperr.Timeout {
		return "unauthorized" // refused; a database that cannot answer now ends nothing
	}
	if !endOnSchema {
		return ""
	}
	if ts, err := a.Records.Catalog.Get(ctx, schemaTenant(c), 0); err == nil && ts.Version != version {
		return "schema_changed"
	}
	return ""
}

// writeEvent writes one Server-Sent Event; its data is one line of JSON. The first error
// of the connection is the one returned: the writes after it fail the same way.
func writeEvent(w io.Writer, ev changes.Event) error {
	if ev.Name != "" {
		_, _ = io.WriteString(w, "event: "+ev.Name+"\n")
	}
	if ev.ID != "" {
		_, _ = io.WriteString(w, "id: "+ev.ID+"\n")
	}
	_, _ = io.WriteString(w, "data: ")
	_, _ = w.Write(ev.Data)
	_, err := io.WriteString(w, "\n\n")
	return err
}
