package wire

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

// pgEpoch is where Postgres' binary timestamps count from: 2000-01-01 UTC, in Unix seconds.
const pgEpoch = 946684800

// Types decodes what is not decoded by hand here (text-format timestamps), and what
// other packages scan through database/sql (pgtype.Map.SQLScanner). A pgtype.Map is not
// safe for concurrent use while it builds its index of Go types, which it does on first
// use: Types has built it already, so that every later use only reads.
var Types = readyTypes()

func readyTypes() *pgtype.Map {
	m := pgtype.NewMap()
	m.TypeForValue(new(string)) // builds the index of Go types now, not under concurrent requests
	return m
}

// decodeFloat reads a double precision (or real) column.
func decodeFloat(f pgconn.FieldDescription, b []byte) (float64, error) {
	if f.Format != pgtype.BinaryFormatCode {
		return strconv.ParseFloat(string(b), 64)
	}
	switch len(b) {
	case 8:
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	case 4:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), nil
	}
	return 0, errWidth(f, b)
}

// decodeBool reads a boolean column, binary (1) or text ('t').
func decodeBool(f pgconn.FieldDescription, b []byte) (bool, error) {
	if len(b) != 1 {
		return false, errWidth(f, b)
	}
	return b[0] == 1 || b[0] == 't', nil
}

// decodeJSON copies a json or jsonb value's text.
func decodeJSON(f pgconn.FieldDescription, b []byte) json.RawMessage {
	if f.Format == pgtype.BinaryFormatCode && f.DataTypeOID == pgtype.JSONBOID && len(b) > 0 && b[0] == 1 {
		b = b[1:] // jsonb's binary form: a version byte, then the text
	}
	return json.RawMessage(bytes.Clone(b))
}

func errWidth(f pgconn.FieldDescription, b []byte) error {
	return fmt.Errorf("unexpected %d-byte value of type %d", len(b), f.DataTypeOID)
}

// DecodeInt reads an integer column (bigint, or a narrower one).
func DecodeInt(f pgconn.FieldDescription, b []byte) (int64, error) {
	if f.Format != pgtype.BinaryFormatCode {
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
	return 0, errWidth(f, b)
}

// decodeTime reads a timestamptz: a time in UTC, or inf ("infinity", "-infinity").
func decodeTime(f pgconn.FieldDescription, b []byte) (t time.Time, inf string, err error) {
	if f.Format != pgtype.BinaryFormatCode || len(b) != 8 {
		var ts pgtype.Timestamptz
		if err := Types.Scan(f.DataTypeOID, f.Format, b, &ts); err != nil {
			return time.Time{}, "", err
		}
		switch ts.InfinityModifier {
		case pgtype.Infinity:
			return time.Time{}, "infinity", nil
		case pgtype.NegativeInfinity:
			return time.Time{}, "-infinity", nil
		}
		return ts.Time.UTC(), "", nil
	}
	switch us := int64(binary.BigEndian.Uint64(b)); us {
	case math.MaxInt64:
		return time.Time{}, "infinity", nil
	case math.MinInt64:
		return time.Time{}, "-infinity", nil
	default:
		return time.Unix(pgEpoch+us/1e6, us%1e6*1e3).UTC(), "", nil
	}
}
