package changes_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"forma.dev/backend/internal/apitest"
	"forma.dev/backend/internal/config"
)

// orderModel is the model the tests stream: a country to filter on, a note to trim.
const orderModel = `{"fields":[
  {"name":"country","type":"text","options":{"max_length":2}},
  {"name":"amount","type":"integer"},
  {"name":"note","type":"text"}]}`

// server is Forma with a real HTTP listener (a stream needs one) and tenant acme.
type server struct {
	*apitest.Server
	url    string
	tenant apitest.Tenant
}

// fast makes heartbeats and the buffer small enough for tests.
func fast(c *config.Config) {
	c.Changes.Heartbeat = 200 * time.Millisecond
}

func start(t *testing.T, opts ...func(*config.Config)) *server {
	t.Helper()
	s := apitest.Start(t, append([]func(*config.Config){fast}, opts...)...)
	hs := httptest.NewServer(s.App.Handler)
	t.Cleanup(hs.Close)
	srv := &server{Server: s, url: hs.URL, tenant: s.Tenant(t, "acme")}
	s.MustJSON(t, http.StatusOK, nil, "PUT", "/api/v1/t/acme/models/orders", srv.tenant.Admin, orderModel)
	return srv
}

// write sends a write and returns the record answered.
func (s *server) write(t *testing.T, method, path, body string) map[string]any {
	t.Helper()
	rec := s.Do(method, "/api/v1/t/acme/data/orders"+path, s.tenant.Write, body)
	if rec.Code >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return out
}

// event is one Server-Sent Event as a client reads it; a comment has Comment set.
type event struct {
	Name, ID, Data, Comment string
}

func (e event) record(t *testing.T) map[string]any {
	t.Helper()
	var d struct {
		Version int64          `json:"schema_version"`
		Record  map[string]any `json:"record"`
	}
	if err := json.Unmarshal([]byte(e.Data), &d); err != nil || d.Version == 0 {
		t.Fatalf("event data %q: %v", e.Data, err)
	}
	return d.Record
}

// stream is an open change stream read by a goroutine.
type stream struct {
	res    *http.Response
	events chan event
	cancel context.CancelFunc
}

// open opens a stream of path (under /api/v1/t/acme) with key; header is name, value
// pairs. It fails t unless the answer is 200 text/event-stream.
func (s *server) open(t *testing.T, path, key string, header ...string) *stream {
	t.Helper()
	st, res := s.try(t, path, key, header...)
	if st == nil {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
	}
	return st
}

// try opens a stream; when the answer is not a stream it returns nil and the answer.
func (s *server) try(t *testing.T, path, key string, header ...string) (*stream, *http.Response) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", s.url+"/api/v1/t/acme"+path, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Cleanup(func() { res.Body.Close() })
		cancel()
		return nil, res
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" || res.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("GET %s: Content-Type %q, Cache-Control %q", path, ct, res.Header.Get("Cache-Control"))
	}
	st := &stream{res: res, events: make(chan event, 10000), cancel: cancel}
	go st.read()
	t.Cleanup(st.close)
	return st, res
}

func (st *stream) read() {
	defer close(st.events)
	r := bufio.NewReader(st.res.Body)
	var ev event
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if ev != (event{}) {
				st.events <- ev
			}
			ev = event{}
		case strings.HasPrefix(line, ":"):
			ev.Comment = strings.TrimSpace(line[1:])
		default:
			k, v, _ := strings.Cut(line, ": ")
			switch k {
			case "event":
				ev.Name = v
			case "id":
				ev.ID = v
			case "data":
				ev.Data = v
			}
		}
	}
}

func (st *stream) close() {
	st.cancel()
	st.res.Body.Close()
}

// next returns the next event that is not a comment, failing t after a while.
func (st *stream) next(t *testing.T) event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-st.events:
			if !ok {
				t.Fatal("the stream ended")
			}
			if ev.Comment != "" {
				continue
			}
			return ev
		case <-timeout:
			t.Fatal("no event within 10s")
		}
	}
}

// quiet fails t if an event (not a comment) arrives within d.
func (st *stream) quiet(t *testing.T, d time.Duration) {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case ev, ok := <-st.events:
			if ok && ev.Comment != "" {
				continue
			}
			if ok {
				t.Fatalf("unexpected event %+v", ev)
			}
			return
		case <-timeout:
			return
		}
	}
}

// ended waits for the stream to end, returning the events it still sent.
func (st *stream) ended(t *testing.T) []event {
	t.Helper()
	var evs []event
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-st.events:
			if !ok {
				return evs
			}
			if ev.Comment == "" {
				evs = append(evs, ev)
			}
		case <-timeout:
			t.Fatal("the stream did not end within 10s")
		}
	}
}
