package records

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

func TestAppendCSVRowReadsBackAsTheListWritesValues(t *testing.T) {
	n := int64(-42)
	s := "multi\nline"
	at := time.Date(2025, 3, 1, 12, 30, 0, 500_000_000, time.UTC)
	row := string(appendCSVRow(nil, []any{nil, "", "a,b", `say "hi"`, " lead", &n, &s, &at, "infinity", math.NaN(), 1.5, true,
		json.RawMessage(`{"a":"b,c"}`)}))
	want := []string{"", "", "a,b", `say "hi"`, " lead", "-42", s, "2025-03-01T12:30:00.5Z", "infinity", "", "1.5", "true", `{"a":"b,c"}`}
	r := csv.NewReader(strings.NewReader(row))
	got, err := r.Read()
	if err != nil {
		t.Fatalf("%q: %v", row, err)
	}
	if strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
		t.Errorf("%q\nread %q\nwant %q", row, got, want)
	}
	if !strings.HasPrefix(row, `,"",`) || !strings.HasSuffix(row, "\r\n") {
		t.Errorf("null empty, empty string quoted, CRLF: %q", row)
	}
}
