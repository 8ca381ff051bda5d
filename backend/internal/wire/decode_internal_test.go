package wire

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

func be64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// noColumn stands for the columns of a scanner that decodes values one by one.
type noColumn struct{}

func (noColumn) Name() string { return "" }
func (noColumn) Kind() Kind   { return Text }

// decodeOne decodes one value as a row scanner does, and gives it as Deref does.
func decodeOne(kind Kind, f pgconn.FieldDescription, b []byte) (any, error) {
	s := NewScanner[noColumn](nil, nil, 1)
	v, err := s.value(kind, f, b)
	return Deref(v), err
}

// TestDecodeReadsBothWireFormats covers what the round trips through Postgres do not
// reach: text-format answers, other integer widths, infinities and refused widths.
func TestDecodeReadsBothWireFormats(t *testing.T) {
	t.Parallel()
	bin := func(oid uint32) pgconn.FieldDescription {
		return pgconn.FieldDescription{DataTypeOID: oid, Format: pgtype.BinaryFormatCode}
	}
	text := func(oid uint32) pgconn.FieldDescription {
		return pgconn.FieldDescription{DataTypeOID: oid, Format: pgtype.TextFormatCode}
	}
	at := time.Date(2026, 12, 1, 6, 2, 39, 123456000, time.UTC)
	sinceY2K := uint64(at.UnixMicro() - pgEpoch*1e6)
	scenarios := []struct {
		name string
		kind Kind
		f    pgconn.FieldDescription
		raw  []byte
		want any
	}{
		{"null", Int, bin(pgtype.Int8OID), nil, nil},
		{"int8", Int, bin(pgtype.Int8OID), be64(uint64(math.MaxInt64 - 1)), int64(math.MaxInt64 - 1)},
		{"negative int4", Int, bin(pgtype.Int4OID), binary.BigEndian.AppendUint32(nil, uint32(0xFFFFFFFE)), int64(-2)},
		{"int2", Int, bin(pgtype.Int2OID), []byte{0x01, 0x00}, int64(256)},
		{"int as text", Int, text(pgtype.Int8OID), []byte("-42"), int64(-42)},
		{"float8", Float, bin(pgtype.Float8OID), be64(math.Float64bits(-1.5)), -1.5},
		{"float4", Float, bin(pgtype.Float4OID), binary.BigEndian.AppendUint32(nil, math.Float32bits(0.25)), 0.25},
		{"float as text", Float, text(pgtype.Float8OID), []byte("1e300"), 1e300},
		{"bool", Bool, bin(pgtype.BoolOID), []byte{1}, true},
		{"bool as text", Bool, text(pgtype.BoolOID), []byte("f"), false},
		{"timestamptz", Time, bin(pgtype.TimestamptzOID), be64(sinceY2K), at},
		{"before 2000", Time, bin(pgtype.TimestamptzOID), be64(math.MaxUint64), time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC)},
		{"infinity", Time, bin(pgtype.TimestamptzOID), be64(math.MaxInt64), "infinity"},
		{"-infinity", Time, bin(pgtype.TimestamptzOID), be64(1 << 63), "-infinity"},
		{"timestamptz as text", Time, text(pgtype.TimestamptzOID), []byte("2026-12-01 06:02:39.123456+00"), at},
		{"infinity as text", Time, text(pgtype.TimestamptzOID), []byte("infinity"), "infinity"},
		{"jsonb", JSON, bin(pgtype.JSONBOID), []byte("\x01{\"a\":1}"), json.RawMessage(`{"a":1}`)},
		{"jsonb as text", JSON, text(pgtype.JSONBOID), []byte(`[1]`), json.RawMessage(`[1]`)},
		{"json", JSON, text(pgtype.JSONOID), []byte(`"x"`), json.RawMessage(`"x"`)},
		{"text", Text, text(pgtype.TextOID), []byte("zürich"), "zürich"},
		{"empty text", Text, text(pgtype.TextOID), []byte{}, ""},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			got, err := decodeOne(s.kind, s.f, s.raw)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, s.want) {
				t.Fatalf("decode = %#v, want %#v", got, s.want)
			}
		})
	}
	for _, bad := range []struct {
		kind Kind
		raw  []byte
	}{{Int, []byte{1, 2, 3}}, {Float, []byte{1}}, {Bool, []byte{}}} {
		if v, err := decodeOne(bad.kind, bin(0), bad.raw); err == nil {
			t.Errorf("decode(%d, % x) = %v, want an error", bad.kind, bad.raw, v)
		}
	}
}

// TestDecodeKeepsNoReferenceToTheRow: pgx reuses the buffer of raw values for the next
// row, so a decoded value must not share it.
func TestDecodeKeepsNoReferenceToTheRow(t *testing.T) {
	t.Parallel()
	raw := []byte(`{"a":1}`)
	v, _ := decodeOne(JSON, pgconn.FieldDescription{Format: pgtype.TextFormatCode}, raw)
	s, _ := decodeOne(Text, pgconn.FieldDescription{Format: pgtype.TextFormatCode}, raw)
	copy(raw, "XXXXXXX")
	if string(v.(json.RawMessage)) != `{"a":1}` || s != `{"a":1}` {
		t.Fatalf("decoded values changed with the row buffer: %s %s", v, s)
	}
}
