package db

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"forma.dev/backend/internal/lru"
)

// With many tenants, the data path's statements are many: each tenant's tables have
// their own texts. pgx keeps a cache of prepared statements per connection (512); once
// the texts in use outnumber it, nearly every query prepares its statement on its
// connection first, a round trip and a plan more, and evicts another (measured over
// 1,000 tenants' tables: 347 µs of Postgres CPU per read by id, against 137 µs run
// unnamed with a known description, and 38 µs prepared and kept).
//
// Statements runs each text the cheaper way for how often it is used: a text in
// frequent use (HotUses a second or more, in this process) runs prepared on each
// connection, through pgx's cache, which then holds only such texts; any other runs as
// an unnamed statement in one round trip, with its description (parameter and result
// types) read once per process and shared by every connection.

// HotUses is how many uses a second make a text run prepared on each connection.
const HotUses = 50

// DefaultStatements is how many texts' descriptions a process keeps (an LRU).
const DefaultStatements = 20_000

// Statements runs queries on a pool, each text prepared or unnamed by its use.
type Statements struct {
	pool  *pgxpool.Pool
	lanes *Lanes // nil: every statement on pool
	now   func() time.Time
	hot   int64 // uses a second that make a text hot: HotUses

	mu    sync.Mutex
	texts *lru.Cache[textKey, *text] // guarded by mu
}

// textKey names a text as compiled for one owner (a model at one schema version): the
// same text of another version has its own description.
type textKey struct {
	owner uint64
	sql   string
}

// text is one statement text: its shared description and how often it is used.
type text struct {
	desc atomic.Pointer[pgconn.StatementDescription] // nil until first described
	sec  atomic.Int64                                // the second counted in uses
	uses atomic.Int64
	hot  atomic.Bool // the last second counted had HotUses or more
}

// NewStatements returns Statements on pool keeping at most capacity descriptions.
func NewStatements(pool *pgxpool.Pool, capacity int) *Statements {
	return &Statements{pool: pool, now: time.Now, hot: HotUses, texts: lru.New[textKey, *text](capacity)}
}

// WithHotUses makes n uses a second (rather than HotUses) make a text hot; a test that
// must see every statement on its tenant's lane sets one no text reaches. It returns s.
func (s *Statements) WithHotUses(n int64) *Statements {
	s.hot = n
	return s
}

// WithLanes makes s run a tenant's statements on its lane's connections (QueryFor,
// AcquireFor, SendBatchFor); nil leaves them on the pool. It returns s.
func (s *Statements) WithLanes(l *Lanes) *Statements {
	s.lanes = l
	return s
}

// Lanes are the lanes s runs statements on; nil when there are none.
func (s *Statements) Lanes() *Lanes { return s.lanes }

// Len is how many texts are known now (the gauge forma_statement_descriptions).
func (s *Statements) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.texts.Len()
}

// Query runs sql of owner with args, prepared on the connection when the text is in
// frequent use, else unnamed with the shared description.
func (s *Statements) Query(ctx context.Context, owner uint64, sql string, args ...any) (pgx.Rows, error) {
	return s.QueryFor(ctx, "", owner, sql, args...)
}

// QueryFor is Query for a statement of the tenant whose lane key is key (its schema):
// on a connection of its lane (Lanes) when there are lanes. A hot text may run on any
// connection that is idle.
func (s *Statements) QueryFor(ctx context.Context, key string, owner uint64, sql string, args ...any) (pgx.Rows, error) {
	t := s.text(textKey{owner, sql})
	hot := t.use(s.now().Unix(), s.hot)
	if s.lanes == nil || key == "" {
		if hot {
			return s.pool.Query(ctx, sql, args...)
		}
		conn, err := s.pool.Acquire(ctx)
		if err != nil {
			return nil, err
		}
		return s.queryUnnamed(ctx, conn, t, sql, args)
	}
	conn, err := s.lanes.Acquire(ctx, key, hot)
	if err != nil {
		return nil, err
	}
	if hot {
		rows, err := conn.Query(ctx, sql, args...)
		if err != nil {
			conn.Release()
			return nil, err
		}
		return &connRows{Rows: rows, conn: conn}, nil
	}
	return s.queryUnnamed(ctx, conn, t, sql, args)
}

// AcquireFor returns a connection for statements of the tenant whose lane key is key:
// one of its lane's when there are lanes (Lanes.Acquire, not hot), else the pool's.
func (s *Statements) AcquireFor(ctx context.Context, key string) (*pgxpool.Conn, error) {
	if s.lanes == nil || key == "" {
		return s.pool.Acquire(ctx)
	}
	return s.lanes.Acquire(ctx, key, false)
}

// SendBatchFor sends b on a connection for the tenant whose lane key is key
// (AcquireFor), given back when the results are closed.
func (s *Statements) SendBatchFor(ctx context.Context, key string, b *pgx.Batch) pgx.BatchResults {
	if s.lanes == nil || key == "" {
		return s.pool.SendBatch(ctx, b)
	}
	conn, err := s.lanes.Acquire(ctx, key, false)
	if err != nil {
		return errBatch{err: err}
	}
	return &connBatch{BatchResults: conn.SendBatch(ctx, b), conn: conn}
}

// connRows are rows on a connection given back when they close.
type connRows struct {
	pgx.Rows
	conn *pgxpool.Conn
}

func (r *connRows) Close() {
	r.Rows.Close()
	if r.conn != nil {
		r.conn.Release()
		r.conn = nil
	}
}

func (r *connRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

// connBatch are a batch's results on a connection given back when they close.
type connBatch struct {
	pgx.BatchResults
	conn *pgxpool.Conn
}

func (b *connBatch) Close() error {
	err := b.BatchResults.Close()
	if b.conn != nil {
		b.conn.Release()
		b.conn = nil
	}
	return err
}

// errBatch are the results of a batch that could not be sent (no connection): every
// statement's outcome is err.
type errBatch struct {
	pgx.BatchResults // nil: only the methods below are used
	err              error
}

func (b errBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, b.err }
func (b errBatch) Query() (pgx.Rows, error)         { return nil, b.err }
func (b errBatch) QueryRow() pgx.Row                { return errRow{b.err} }
func (b errBatch) Close() error                     { return b.err }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// text returns the entry of k, making one.
func (s *Statements) text(k textKey) *text {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.texts.Get(k)
	if !ok {
		t = &text{}
		s.texts.Put(k, t)
	}
	return t
}

// use counts one use in second sec and reports whether the text is hot: had hot uses
// or more in the second before.
func (t *text) use(sec, hot int64) bool {
	if was := t.sec.Load(); was != sec && t.sec.CompareAndSwap(was, sec) {
		t.hot.Store(was == sec-1 && t.uses.Swap(0) >= hot)
		if was != sec-1 {
			t.uses.Store(0)
		}
	}
	t.uses.Add(1)
	return t.hot.Load()
}

// queryUnnamed runs sql as the unnamed statement of a connection: Parse, Bind, Describe
// and Execute in one round trip, the parameters encoded by the shared description.
func (s *Statements) queryUnnamed(ctx context.Context, conn *pgxpool.Conn, t *text, sql string, args []any) (pgx.Rows, error) {
	var err error
	desc := t.desc.Load()
	if desc == nil {
		if desc, err = conn.Conn().PgConn().Prepare(ctx, "", sql, nil); err != nil {
			conn.Release()
			return nil, err
		}
		t.desc.Store(desc)
	}
	var b pgx.ExtendedQueryBuilder
	if err := b.Build(conn.Conn().TypeMap(), desc, args); err != nil {
		t.desc.CompareAndSwap(desc, nil) // the types may have changed: described again next time
		conn.Release()
		return nil, fmt.Errorf("%w: %w", ErrStaleDescription, err)
	}
	rr := conn.Conn().PgConn().ExecParams(ctx, sql, b.ParamValues, desc.ParamOIDs, b.ParamFormats, b.ResultFormats)
	return &unnamedRows{Rows: pgx.RowsFromResultReader(conn.Conn().TypeMap(), rr), conn: conn, text: t, desc: desc}, nil
}

// ErrStaleDescription is a statement's arguments not fitting its shared description:
// its table changed since it was described. The description is forgotten; running the
// statement again describes it anew.
var ErrStaleDescription = errors.New("db: the statement's description is older than its table")

// StaleDescription reports whether err says a statement ran with a description older
// than its table: its arguments did not fit (ErrStaleDescription), or Postgres found a
// parameter of another type than the column's (42804, 42883). Running it again is right.
func StaleDescription(err error) bool {
	var pgErr *pgconn.PgError
	return errors.Is(err, ErrStaleDescription) || errors.As(err, &pgErr) && (pgErr.Code == "42804" || pgErr.Code == "42883")
}

// unnamedRows are the rows of an unnamed statement: closing them gives the connection
// back, and an error that may come of a changed table forgets the description.
type unnamedRows struct {
	pgx.Rows
	conn *pgxpool.Conn
	text *text
	desc *pgconn.StatementDescription
}

func (r *unnamedRows) Close() {
	if r.conn == nil {
		return
	}
	r.Rows.Close()
	var pgErr *pgconn.PgError
	if errors.As(r.Rows.Err(), &pgErr) && (pgErr.Code[:2] == "42" || pgErr.Code[:2] == "0A") {
		r.text.desc.CompareAndSwap(r.desc, nil)
	}
	r.conn.Release()
	r.conn = nil
}

// Next closes the rows after the last, as pgx's rows do.
func (r *unnamedRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}
