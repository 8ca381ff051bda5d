package records

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// scanKind says how a column is read back from Postgres and written as JSON.
type scanKind uint8

const (
	scanText scanKind = iota // read as text: text, email, url, decimal, date, time, uuid
	scanInt
	scanFloat
	scanBool
	scanTime
	scanJSON
)

func scanKindOf(typ string) scanKind {
	switch typ {
	case "integer", "relation":
		return scanInt
	case "float":
		return scanFloat
	case "boolean":
		return scanBool
	case "datetime":
		return scanTime
	case "json":
		return scanJSON
	}
	return scanText
}

// selectExpr is the column as the select list reads it: types whose canonical JSON
// form is Postgres' own text form are cast to text, so no conversion runs in Go.
func selectExpr(c *column) string {
	if c.kind == scanText && c.typ != "text" && c.typ != "email" && c.typ != "url" {
		return c.quoted + "::text AS " + c.quoted
	}
	return c.quoted
}

// Record is one row, in column order; it marshals to a JSON object in that order.
// Values are as the driver reads them: nil, int64, float64, bool, string, time.Time
// (datetime columns), json.RawMessage (json columns), or a *Record put in by expand.
type Record struct {
	cols []*column
	vals []any
}

// Get returns the value of a column and whether the record holds it.
func (r *Record) Get(name string) (any, bool) {
	for i, c := range r.cols {
		if c.name == name {
			return r.vals[i], true
		}
	}
	return nil, false
}

func (r *Record) set(name string, v any) {
	for i, c := range r.cols {
		if c.name == name {
			r.vals[i] = v
		}
	}
}

// rowScanner reads the rows of one query from pgx's raw values: each column is decoded
// by its kind from the wire format Postgres sent, with no scan plan or holder per
// column; only each row's Record and its values are allocated.
type rowScanner struct {
	cols   []*column
	fields []pgconn.FieldDescription
}

func (s *rowScanner) scan(raw [][]byte) (*Record, error) {
	if len(raw) != len(s.cols) {
		return nil, fmt.Errorf("records: %d columns read, %d expected", len(raw), len(s.cols))
	}
	vals := make([]any, len(s.cols))
	for i, c := range s.cols {
		v, err := decode(c.kind, s.fields[i], raw[i])
		if err != nil {
			return nil, fmt.Errorf("records: column %s: %w", c.name, err)
		}
		vals[i] = v
	}
	return &Record{cols: s.cols, vals: vals}, nil
}

// pgEpoch is where Postgres' binary timestamps count from: 2000-01-01 UTC, in Unix seconds.
const pgEpoch = 946684800

// types decodes what decode does not do by hand (text-format timestamps).
var types = pgtype.NewMap()

// decode turns one value as Postgres sent it into the Go value a Record holds: nil,
// int64, float64, bool, string, time.Time in UTC (or "infinity", "-infinity") or
// json.RawMessage. b is only valid until the next row, so nothing keeps it.
func decode(kind scanKind, f pgconn.FieldDescription, b []byte) (any, error) {
	if b == nil {
		return nil, nil
	}
	bin := f.Format == pgtype.BinaryFormatCode
	switch kind {
	case scanInt:
		if !bin {
			return strconv.ParseInt(string(b), 10, 64)
		}
		switch len(b) {
		case 8:
			return int64(binary.BigEndian.Uint64(b)), nil
		case 4:
			return int64(int32(binary.BigEndian.Uint32(b))), nil
		case 2:
			return int64(int16(binary.BigEndian.Uint16(b))), nil
		}
	case scanFloat:
		if !bin {
			return strconv.ParseFloat(string(b), 64)
		}
		switch len(b) {
		case 8:
			return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
		case 4:
			return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), nil
		}
	case scanBool:
		if len(b) == 1 {
			return b[0] == 1 || b[0] == 't', nil
		}
	case scanTime:
		if !bin || len(b) != 8 {
			var ts pgtype.Timestamptz
			if err := types.Scan(f.DataTypeOID, f.Format, b, &ts); err != nil {
				return nil, err
			}
			return timeValue(ts), nil
		}
		switch us := int64(binary.BigEndian.Uint64(b)); us {
		case math.MaxInt64:
			return "infinity", nil
		case math.MinInt64:
			return "-infinity", nil
		default:
			return time.Unix(pgEpoch+us/1e6, us%1e6*1e3).UTC(), nil
		}
	case scanJSON:
		if bin && f.DataTypeOID == pgtype.JSONBOID && len(b) > 0 && b[0] == 1 {
			b = b[1:] // jsonb's binary form: a version byte, then the text
		}
		return json.RawMessage(bytes.Clone(b)), nil
	default:
		return string(b), nil
	}
	return nil, fmt.Errorf("unexpected %d-byte value of type %d", len(b), f.DataTypeOID)
}

func timeValue(ts pgtype.Timestamptz) any {
	switch ts.InfinityModifier {
	case pgtype.Infinity:
		return "infinity"
	case pgtype.NegativeInfinity:
		return "-infinity"
	}
	return ts.Time.UTC()
}
