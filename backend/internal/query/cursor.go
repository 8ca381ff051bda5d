package query

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"forma.dev/backend/internal/jsonenc"
)

// cursor is what next_cursor encodes: the sort it belongs to and the sort key values
// of the last row of the page. It is opaque to clients but not secret.
type cursor struct {
	Sort   string `json:"s"`
	Values []any  `json:"v"`
}

var errCursor = errors.New("query: malformed cursor")

func sortSignature(keys []SortKey) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k.Col.Name
		if k.Desc {
			parts[i] = "-" + parts[i]
		}
	}
	return strings.Join(parts, ",")
}

// EncodeCursor is the next_cursor after a row whose sort key values (as a record holds
// them) are values. It is written as json.Marshal would write a cursor value
// (jsonenc.AppendValue writes a record's values byte for byte as encoding/json does).
func EncodeCursor(keys []SortKey, values []any) string {
	b := append(jsonenc.AppendString(append(make([]byte, 0, 128), `{"s":`...), sortSignature(keys)), `,"v":[`...)
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.AppendValue(b, cursorValue(v))
	}
	return base64.RawURLEncoding.EncodeToString(append(b, "]}"...))
}

// decodeCursor checks that a cursor belongs to this sort and normalises its values.
func decodeCursor(s string, keys []SortKey) ([]any, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errCursor
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var c cursor
	if err := dec.Decode(&c); err != nil || c.Sort != sortSignature(keys) || len(c.Values) != len(keys) {
		return nil, errCursor
	}
	for i, v := range c.Values {
		if v == nil {
			continue
		}
		nv, p := keys[i].Col.Codec.Normalize(v)
		if p != nil {
			return nil, errCursor
		}
		c.Values[i] = nv
	}
	return c.Values, nil
}

// cursorValue is a sort key value as the cursor holds it: datetimes as the RFC 3339 text
// the API shows (time.Time's own JSON form refuses years past 9999).
func cursorValue(v any) any {
	if t, ok := v.(time.Time); ok {
		return t.UTC().Format(time.RFC3339Nano)
	}
	return v
}
