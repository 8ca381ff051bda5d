package changes

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// feed reads one model's log for this replica's streams of it: one query per wake,
// whatever the number of streams, then one query per distinct filter to select, and a
// push into each stream's buffer. It holds no connection between reads.
type feed struct {
	s      *Service
	key    feedKey
	wakeC  chan struct{}
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	streams map[*Stream]struct{}
}

func newFeed(s *Service, k feedKey) *feed {
	ctx, cancel := context.WithCancel(context.Background())
	f := &feed{s: s, key: k, wakeC: make(chan struct{}, 1), ctx: ctx, cancel: cancel, streams: map[*Stream]struct{}{}}
	go f.run()
	return f
}

func (f *feed) kick() {
	select {
	case f.wakeC <- struct{}{}:
	default:
	}
}

func (f *feed) stop() { f.cancel() }

// safetyPolls is how many Polls a feed lets pass without reading while the replica
// listens: notices reach a listening connection, so this only bounds what a fault no
// one foresaw could cost.
const safetyPolls = 15

// run reads on every wake, and every Poll while the replica does not listen, until
// stopped.
func (f *feed) run() {
	t := time.NewTicker(f.s.opts.Poll)
	defer t.Stop()
	var read time.Time
	for {
		select {
		case <-f.ctx.Done():
			return
		case <-f.wakeC:
		case <-t.C:
			if f.s.listening.Load() && time.Since(read) < safetyPolls*f.s.opts.Poll {
				continue
			}
		}
		read = time.Now()
		for {
			more, err := f.readWithin(readTimeout)
			if err != nil {
				if f.ctx.Err() == nil {
					f.s.opts.Logger.Warn("changes: reading the log", "tenant", f.key.tenant, "model", f.key.model, "err", err)
				}
				break
			}
			if !more {
				break
			}
		}
	}
}

// readTimeout bounds one read of the log and its filters: a feed stuck on a slow
// database tries again on its next wake rather than never.
const readTimeout = 30 * time.Second

func (f *feed) readWithin(d time.Duration) (bool, error) {
	ctx, cancel := context.WithTimeout(f.ctx, d)
	defer cancel()
	return f.read(ctx)
}

// change is one logged change.
type change struct {
	pos     int64
	model   string
	event   string
	version int64
	record  []byte
}

const readSQL = `SELECT id, model, event, version, record::text FROM forma.changes
WHERE tenant_id = $1 AND model = $2 AND id > $3 ORDER BY id LIMIT $4`

// readTenantSQL reads a tenant's whole feed: every model's changes and its schema's.
const readTenantSQL = `SELECT id, model, event, version, record::text FROM forma.changes
WHERE tenant_id = $1 AND id > $3 AND $2::text = '*' ORDER BY id LIMIT $4`

// read hands the streams the changes after the earliest of their cursors, up to a
// batch; more reports that a full batch was read.
func (f *feed) read(ctx context.Context) (more bool, err error) {
	f.mu.Lock()
	streams := make([]*Stream, 0, len(f.streams))
	var from int64 = -1
	for st := range f.streams {
		streams = append(streams, st)
		if from < 0 || st.cursor < from {
			from = st.cursor
		}
	}
	f.mu.Unlock()
	if len(streams) == 0 {
		return false, nil
	}
	text := readSQL
	if f.key.model == tenantFeed {
		text = readTenantSQL
	}
	rows, err := f.s.pool.Query(ctx, text, f.key.tenant, f.key.model, from, f.s.opts.Batch)
	if err != nil {
		return false, err
	}
	var batch []change
	for rows.Next() {
		var c change
		var rec string
		if err := rows.Scan(&c.pos, &c.model, &c.event, &c.version, &rec); err != nil {
			rows.Close()
			return false, err
		}
		c.record = []byte(rec)
		batch = append(batch, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(batch) == 0 {
		return false, err
	}
	selected, broken, err := f.selectFor(ctx, streams, batch)
	if err != nil {
		return false, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	shown := map[showKey][]byte{}
	for _, st := range streams {
		if _, still := f.streams[st]; !still {
			continue
		}
		if broken[st.filter.key] {
			f.endLocked(st, Event{Name: EventEnd, ID: position(f.key, st.cursor),
				Data: []byte(`{"reason":"schema_changed"}`)})
			continue
		}
		f.deliverLocked(st, batch, selected[st.filter.key], shown)
	}
	return len(batch) == f.s.opts.Batch, nil
}

// showKey is one change as one set of fields shows it.
type showKey struct {
	pos    int64
	fields string
}

// deliverLocked pushes to st the changes of batch after its cursor that its filter
// selected (sel; nil: all); a full buffer ends the stream with the position to resume
// from. f.mu is held.
func (f *feed) deliverLocked(st *Stream, batch []change, sel map[int64]bool, shown map[showKey][]byte) {
	for _, c := range batch {
		if c.pos <= st.cursor {
			continue
		}
		if !st.filter.none && (sel == nil || sel[c.pos]) {
			k := showKey{c.pos, st.filter.fieldsKey}
			data, ok := shown[k]
			if !ok {
				data = eventData(c, st.filter.fields, f.key.model == tenantFeed)
				shown[k] = data
			}
			if !st.push(Event{Name: c.event, ID: position(f.key, c.pos), Data: data}) {
				f.endLocked(st, Event{Name: EventOverflow, ID: position(f.key, st.cursor),
					Data: []byte(`{"reason":"slow_client","resume_from":"` + position(f.key, st.cursor) + `"}`)})
				return
			}
		}
		st.cursor = c.pos
	}
}

// endLocked ends st with ev as its last event. f.mu is held.
func (f *feed) endLocked(st *Stream, ev Event) {
	delete(f.streams, st)
	st.finish(ev)
}

// selectFor runs each distinct filter of streams once on batch: the positions each
// selects, by filter key (no entry: the filter selects everything). A filter whose
// statement the database refuses as no longer fitting the table (a field dropped, the
// model gone: class 42) is broken: its streams end, and reopen with the current model.
func (f *feed) selectFor(ctx context.Context, streams []*Stream, batch []change) (map[string]map[int64]bool, map[string]bool, error) {
	pos := make([]int64, len(batch))
	for i, c := range batch {
		pos[i] = c.pos
	}
	selected := map[string]map[int64]bool{}
	broken := map[string]bool{}
	for _, st := range streams {
		fl := st.filter
		if fl.where == "" || fl.none {
			continue
		}
		if _, done := selected[fl.key]; done || broken[fl.key] {
			continue
		}
		got, err := f.runFilter(ctx, fl, pos)
		var pg *pgconn.PgError
		if errors.As(err, &pg) && len(pg.Code) == 5 && pg.Code[:2] == "42" {
			broken[fl.key] = true
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		selected[fl.key] = got
	}
	return selected, broken, nil
}

func (f *feed) runFilter(ctx context.Context, fl *filter, pos []int64) (map[int64]bool, error) {
	rows, err := f.s.pool.Query(ctx, fl.sql, append([]any{pos}, fl.args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	got := map[int64]bool{}
	for rows.Next() {
		var p int64
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		got[p] = true
	}
	return got, rows.Err()
}

// eventData is a change's data: its record, trimmed to fields, and its schema version
// (and its model, when named); a schema change's plan and version.
func eventData(c change, fields []string, named bool) []byte {
	if c.event == EventSchemaChanged {
		return c.record // logged as it is sent
	}
	b := []byte{'{'}
	if named {
		b = append(b, `"model":"`+c.model+`",`...) // a model name: [a-z][a-z0-9_]*, nothing to escape
	}
	b = append(b, `"schema_version":`...)
	b = strconv.AppendInt(b, c.version, 10)
	b = append(b, `,"record":`...)
	b = append(b, trim(c.record, fields)...)
	return append(b, '}')
}
