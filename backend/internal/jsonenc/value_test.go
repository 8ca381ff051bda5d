package jsonenc

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"forma.dev/backend/internal/jsonenc/jsonenctest"
)

// referenceJSON encodes a value with encoding/json, as the records API did before
// AppendValue: datetimes as RFC 3339 text in UTC.
func referenceJSON(t *testing.T, v any) string {
	t.Helper()
	if tm, ok := v.(time.Time); ok {
		v = tm.UTC().Format(time.RFC3339Nano)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encoding/json cannot encode %#v: %v", v, err)
	}
	return string(b)
}

func TestAppendJSONWritesWhatEncodingJSONWrites(t *testing.T) {
	warsaw := time.FixedZone("CEST", 2*3600)
	values := []any{
		nil, int64(0), int64(7), int64(-42), int64(math.MaxInt64), int64(math.MinInt64),
		0.0, math.Copysign(0, -1), 0.25, -1.5, 1e20, 1e21, 123456789.125, 1e-6, 1e-7, -3.4e-12, math.MaxFloat64, math.SmallestNonzeroFloat64,
		true, false,
		time.Date(2024, 5, 1, 10, 30, 0, 0, time.UTC), time.Date(2024, 5, 1, 12, 30, 0, 500_000_000, warsaw),
		time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC), time.Unix(1714559400, 123456000),
		json.RawMessage(`{"a": [1, 2, {"b": null}], "c": "x y"}`), json.RawMessage(`"<&>\u2028 \"quoted\" \\"`),
		json.RawMessage("{\"k\": \"line\u2028sep\", \"t\": true}"), json.RawMessage(`[]`), json.RawMessage(`-0.5e10`),
		[]int{1, 2}, // not a type the driver returns: encoded by encoding/json
	}
	for _, s := range jsonenctest.TrickyStrings {
		values = append(values, s)
	}
	for _, v := range values {
		got := string(AppendValue(nil, v))
		if want := referenceJSON(t, v); got != want {
			t.Errorf("%#v:\n got %s\nwant %s", v, got, want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := string(AppendValue(nil, f)); got != "null" {
			t.Errorf("%v: got %s, want null (JSON has no such number)", f, got)
		}
	}
}

// FuzzAppendString checks the string escaper against encoding/json on any input.
func FuzzAppendString(f *testing.F) {
	for _, s := range jsonenctest.TrickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendString(nil, s); string(got) != string(want) {
			t.Errorf("%q:\n got %s\nwant %s", s, got, want)
		}
	})
}

// FuzzAppendRawJSON checks the jsonb writer against encoding/json's json.RawMessage on
// any valid JSON (Postgres never stores invalid JSON).
func FuzzAppendRawJSON(f *testing.F) {
	f.Add([]byte(`{"a": [1, 2, {"b": null}], "c": "x <y> & \u2028 \"z\""}`))
	f.Add([]byte("[\"\u2029\", \"\\\\\", \t\r\n 1e5]"))
	f.Add([]byte(`"\\\""`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			return
		}
		want, err := json.Marshal(json.RawMessage(raw))
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendRawJSON(nil, raw); string(got) != string(want) {
			t.Errorf("%q:\n got %s\nwant %s", raw, got, want)
		}
	})
}

// FuzzAppendTime: datetimes are written as time.RFC3339Nano writes them in UTC.
func FuzzAppendTime(f *testing.F) {
	f.Add(int64(0), int64(0))
	f.Add(int64(1714559400), int64(123456000))
	f.Add(int64(-62135596800), int64(1000)) // year 1
	f.Add(int64(253402300799), int64(999999999))
	f.Add(int64(-62167219200), int64(0)) // year 0
	f.Add(int64(-62167219201), int64(5)) // year -1
	f.Add(int64(253402300800), int64(10))
	f.Fuzz(func(t *testing.T, sec, nsec int64) {
		tm := time.Unix(sec, nsec%1e9)
		want := `"` + tm.UTC().Format(time.RFC3339Nano) + `"`
		if got := string(AppendTime(nil, tm)); got != want {
			t.Fatalf("%d.%09d: got %s, want %s", sec, nsec, got, want)
		}
	})
}
