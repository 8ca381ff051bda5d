package query

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"testing"

	"forma.dev/backend/internal/jsonenc/jsonenctest"
)

// TestCursorsAreWhatJSONMarshalWrites: next_cursor is written by hand; it must stay the
// encoding of the cursor value, which decodeCursor reads with encoding/json.
func TestCursorsAreWhatJSONMarshalWrites(t *testing.T) {
	t.Parallel()
	keys := []SortKey{{Col: &Column{Name: "name"}, Desc: true}, {Col: &Column{Name: "id"}}}
	values := [][]any{{"plain", int64(7)}, {nil, int64(math.MinInt64)}, {1.5e-7, true}, {"2024-05-01T10:30:00.5Z", int64(0)}}
	for _, s := range jsonenctest.TrickyStrings {
		values = append(values, []any{s, int64(1)})
	}
	for _, v := range values {
		want, _ := json.Marshal(cursor{Sort: sortSignature(keys), Values: v})
		raw, err := base64.RawURLEncoding.DecodeString(EncodeCursor(keys, v))
		if err != nil || string(raw) != string(want) {
			t.Errorf("%#v:\n got %s (%v)\nwant %s", v, raw, err, want)
		}
	}
}
