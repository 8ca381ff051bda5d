package changes

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/records"
)

// Event is one event of a stream, as Server-Sent Events writes it.
type Event struct {
	Name string // event:
	ID   string // id: a position to resume from
	Data []byte // data: one line of JSON
}

// Stream names the events that are not record changes.
const (
	EventReady    = "ready"    // the stream is open; its id is the position it starts after
	EventReset    = "reset"    // the position resumed from is past the resume window: reload, then go on from its id
	EventOverflow = "overflow" // the client fell Buffer events behind: resume from its id
	EventEnd      = "end"      // the stream ends (data.reason); resume from its id
)

// Stream is one client's subscription to a feed. Its buffer is a queue that grows as
// events wait, up to Options.Buffer: an idle stream holds no buffer at all.
type Stream struct {
	key    feedKey
	filter *filter
	// cursor is the last position handed to the stream (the feed's reader's, under the
	// feed's lock).
	cursor int64
	max    int
	once   sync.Once
	ready  time.Time
	signal chan struct{} // one pending wake-up: events or the end wait

	mu     sync.Mutex
	queue  []Event // guarded by mu
	end    *Event  // the stream's last event, once the service ended it; guarded by mu
	ending bool    // guarded by mu
}

// Ready is when the stream may send its first event: from then on every replica logs
// the model's changes (a model's first stream waits a moment for it, lease.go). The
// changes that arrive meanwhile wait in the stream's buffer.
func (st *Stream) Ready() time.Time { return st.ready }

// Wait receives when events, or the stream's end, wait to be taken.
func (st *Stream) Wait() <-chan struct{} { return st.signal }

// Take returns the events waiting, in order, and the stream's last event once the
// service ended it (to be sent after them; nil while it goes on).
func (st *Stream) Take() ([]Event, *Event) {
	st.mu.Lock()
	defer st.mu.Unlock()
	evs := st.queue
	st.queue = nil
	return evs, st.end
}

// push queues ev; false when the buffer is full.
func (st *Stream) push(ev Event) bool {
	st.mu.Lock()
	full := st.ending || len(st.queue) >= st.max
	if !full {
		st.queue = append(st.queue, ev)
	}
	st.mu.Unlock()
	if !full {
		st.wake()
	}
	return !full
}

// finish makes ev the stream's last event.
func (st *Stream) finish(ev Event) {
	st.mu.Lock()
	st.end, st.ending = &ev, true
	st.mu.Unlock()
	st.wake()
}

func (st *Stream) wake() {
	select {
	case st.signal <- struct{}{}:
	default:
	}
}

// Subscribe opens a stream of the changes of model of tenant that filter selects, from
// lastID (a Last-Event-ID; "" for changes from now). It returns the stream and its first
// event (ready, or reset when lastID is past the resume window). Close it when done.
func (s *Service) Subscribe(ctx context.Context, tenant int64, model string, rf *records.ChangeFilter, lastID string) (*Stream, Event, error) {
	return s.subscribe(ctx, feedKey{tenant, model}, compile(rf), rf.Version, lastID)
}

func (s *Service) subscribe(ctx context.Context, k feedKey, fl *filter, version int64, lastID string) (*Stream, Event, error) {
	var from int64 = -1
	if lastID != "" {
		var err error
		if from, err = parsePosition(k, lastID); err != nil {
			return nil, Event{}, err
		}
	}
	if err := s.reserve(k.tenant); err != nil {
		return nil, Event{}, err
	}
	st, first, err := s.open(ctx, k, fl, version, from)
	if err != nil {
		s.release(k.tenant)
		return nil, Event{}, err
	}
	return st, first, nil
}

// headSQL is the last position of a feed's log ($3: its since) and the last position
// drawn in the whole log; headTenantSQL the same of a tenant's whole feed.
const (
	headSQL = `SELECT greatest($3::bigint, (SELECT max(id) FROM forma.changes WHERE tenant_id = $1 AND model = $2)),
	COALESCE(pg_sequence_last_value(pg_get_serial_sequence('forma.changes', 'id')), 0)`
	headTenantSQL = `SELECT greatest($3::bigint, (SELECT max(id) FROM forma.changes WHERE tenant_id = $1 AND $2::text = '*')),
	COALESCE(pg_sequence_last_value(pg_get_serial_sequence('forma.changes', 'id')), 0)`
)

func (s *Service) open(ctx context.Context, k feedKey, fl *filter, version, from int64) (*Stream, Event, error) {
	since, ready, err := s.openLease(ctx, k)
	if err != nil {
		return nil, Event{}, err
	}
	var head, drawn int64
	text := headSQL
	if k.model == tenantFeed {
		text = headTenantSQL
	}
	if err := s.pool.QueryRow(ctx, text, k.tenant, k.model, since).Scan(&head, &drawn); err != nil {
		return nil, Event{}, err
	}
	st := &Stream{key: k, filter: fl, max: s.opts.Buffer, signal: make(chan struct{}, 1), cursor: head, ready: ready}
	first := Event{Name: EventReady, ID: position(k, head), Data: versionData(version)}
	switch {
	case from > drawn:
		return nil, Event{}, badPosition("is ahead of every change this server has logged")
	case from >= 0 && from < since:
		first = Event{Name: EventReset, ID: position(k, head),
			Data: []byte(`{"reason":"expired","schema_version":` + strconv.FormatInt(version, 10) + `}`)}
	case from >= 0:
		st.cursor, first.ID = from, position(k, from)
	}
	s.mu.Lock()
	f := s.feeds[k]
	if f == nil {
		f = newFeed(s, k)
		s.feeds[k] = f
	}
	f.mu.Lock()
	f.streams[st] = struct{}{}
	f.mu.Unlock()
	s.mu.Unlock()
	f.kick() // a resumed stream catches up at once
	return st, first, nil
}

func versionData(v int64) []byte {
	b, _ := json.Marshal(map[string]int64{"schema_version": v})
	return b
}

// reserve counts one more stream of tenant, within the bounds.
func (s *Service) reserve(tenant int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.streams >= s.opts.MaxStreams:
		return apperr.New(apperr.Unavailable, "this server has "+strconv.Itoa(s.opts.MaxStreams)+
			" change streams open already; try again later or on another server")
	case s.perTenant[tenant] >= s.opts.MaxStreamsPerTenant:
		return apperr.New(apperr.RateLimited, "the tenant has "+strconv.Itoa(s.opts.MaxStreamsPerTenant)+
			" change streams open on this server already; close one first")
	}
	s.streams++
	s.perTenant[tenant]++
	return nil
}

func (s *Service) release(tenant int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.streams--
	if s.perTenant[tenant]--; s.perTenant[tenant] <= 0 {
		delete(s.perTenant, tenant)
	}
}

// Close ends the stream: it leaves its feed, whose reader stops with its last stream.
// Closing twice is harmless.
func (s *Service) Close(st *Stream) {
	st.once.Do(func() {
		s.mu.Lock()
		if f := s.feeds[st.key]; f != nil {
			f.mu.Lock()
			delete(f.streams, st)
			empty := len(f.streams) == 0
			f.mu.Unlock()
			if empty {
				delete(s.feeds, st.key)
				f.stop()
			}
		}
		s.mu.Unlock()
		s.release(st.key.tenant)
	})
}
