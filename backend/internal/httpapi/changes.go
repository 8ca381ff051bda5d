package httpapi

import (
	"context"
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
// it, or streamStale does; a schema change past version ends it when endOnSchema. Over
// HTTP/1.1 it takes the connection over (changes_conn.go) and returns: an idle stream
// then holds a small goroutine and its connection rather than the request's goroutine,
// its middleware frames and net/http's buffers. Where the connection cannot be taken
// (HTTP/2, a recorder) it serves the stream in the handler.
func (a *api) serveStream(c *gin.Context, st *changes.Stream, first changes.Event, version int64, endOnSchema bool) {
	releaseInflight(c)
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	h.Set(SchemaVersionHeader, strconv.FormatInt(version, 10))
	p := &streamPump{a: a, st: st, first: first, last: first.ID,
		who: streamCaller{principal: PrincipalOf(c), token: bearer(c), tenant: c.Param("tenant"), version: version, endOnSchema: endOnSchema}}
	if sink, ctx, ok := takeOver(c); ok {
		p.sink = sink
		go p.runDetached(ctx, sink)
		return
	}
	c.Status(http.StatusOK)
	c.Writer.WriteHeaderNow()
	c.Writer.Flush()
	p.sink = writerSink{c.Writer}
	p.run(c.Request.Context())
}

// eventSink is where a stream's events go: one write and flush each.
type eventSink interface {
	write(b []byte) error
}

// writerSink is the handler's writer, buffered by net/http.
type writerSink struct{ w gin.ResponseWriter }

func (s writerSink) write(b []byte) error {
	_, err := s.w.Write(b)
	s.w.Flush()
	return err
}

// heartbeat is the keep-alive comment.
var heartbeat = []byte(": heartbeat\n\n")

// streamPump sends a stream's events to its sink. Its state lives on the heap and its
// work in methods, so that the goroutine of an idle stream parks with one small frame
// on its stack (a stack of a few KiB, not 8).
type streamPump struct {
	a     *api
	sink  eventSink
	st    *changes.Stream
	first changes.Event
	who   streamCaller
	last  string // the id of the last event sent
	buf   []byte
}

// run sends the stream's events until ctx ends, the service ends the stream, or
// streamStale does; it closes the stream.
func (p *streamPump) run(ctx context.Context) {
	defer p.a.Changes.Close(p.st)
	if !p.start(ctx) {
		return
	}
	beat := time.NewTicker(p.a.Changes.Options().Heartbeat)
	defer beat.Stop()
	recheck := time.NewTicker(recheckEvery)
	defer recheck.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.st.Wait():
			if !p.drain() {
				return
			}
		case <-beat.C:
			if p.sink.write(heartbeat) != nil {
				return
			}
		case <-recheck.C:
			if !p.recheck(ctx) {
				return
			}
		}
	}
}

// start waits for the stream to be ready and sends its first event; false: stop.
func (p *streamPump) start(ctx context.Context) bool {
	if wait := time.Until(p.st.Ready()); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
	return p.send(p.first)
}

// drain sends the events waiting, and the stream's end; false: stop.
func (p *streamPump) drain() bool {
	evs, end := p.st.Take()
	for _, ev := range evs {
		if !p.send(ev) {
			return false
		}
	}
	if end != nil {
		p.send(*end)
		return false
	}
	if cap(p.buf) > 4<<10 {
		p.buf = nil // a burst's large event is not kept while the stream idles
	}
	return true
}

// recheck ends the stream when streamStale says so; false: stop.
func (p *streamPump) recheck(ctx context.Context) bool {
	reason := p.a.streamStale(ctx, &p.who)
	if reason == "" {
		return true
	}
	p.send(changes.Event{Name: changes.EventEnd, ID: p.last, Data: []byte(`{"reason":"` + reason + `"}`)})
	return false
}

func (p *streamPump) send(ev changes.Event) bool {
	p.buf = appendEvent(p.buf[:0], ev)
	if ev.ID != "" {
		p.last = ev.ID
	}
	return p.sink.write(p.buf) == nil
}

// streamCaller is what streamStale checks, taken from the request before the handler
// returns (a taken-over stream outlives its gin.Context).
type streamCaller struct {
	principal   auth.Principal
	token       string
	tenant      string // the slug in the path
	version     int64
	endOnSchema bool
}

// streamStale says why an open stream must end: its key or token no longer admits it
// ("unauthorized"), or the tenant's schema (its roles with it) moved past version
// ("schema_changed": reopened, the stream is compiled again; only when endOnSchema).
// "" while neither.
func (a *api) streamStale(ctx context.Context, who *streamCaller) string {
	p, token := who.principal, who.token
	var err error
	if a.Tokens != nil && tokens.LooksLikeJWT(token) {
		_, err = a.Tokens.Authenticate(ctx, who.tenant, token)
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
	if !who.endOnSchema {
		return ""
	}
	if ts, err := a.Records.Catalog.Get(ctx, p.Tenant.Ref, 0); err == nil && ts.Version != who.version {
		return "schema_changed"
	}
	return ""
}

// appendEvent appends one Server-Sent Event to b; its data is one line of JSON.
func appendEvent(b []byte, ev changes.Event) []byte {
	if ev.Name != "" {
		b = append(append(append(b, "event: "...), ev.Name...), '\n')
	}
	if ev.ID != "" {
		b = append(append(append(b, "id: "...), ev.ID...), '\n')
	}
	b = append(append(b, "data: "...), ev.Data...)
	return append(b, "\n\n"...)
}
