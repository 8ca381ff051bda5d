package records

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"forma.dev/backend/internal/jsonenc"
)

// cursor is what next_cursor encodes: the sort it belongs to and the sort key values
// of the last row of the page. It is opaque to clients but not secret.
type cursor struct {
	Sort   string `json:"s"`
	Values []any  `json:"v"`
}

var errCursor = errors.New("records: malformed cursor")

func sortSignature(keys []sortKey) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k.col.name
		if k.desc {
			parts[i] = "-" + parts[i]
		}
	}
	return strings.Join(parts, ",")
}

// encodeCursor writes the cursor as json.Marshal would write a cursor value (the values
// are those of a Record, which jsonenc.AppendValue writes byte for byte as encoding/json does).
func encodeCursor(keys []sortKey, values []any) string {
	b := append(jsonenc.AppendString(append(make([]byte, 0, 128), `{"s":`...), sortSignature(keys)), `,"v":[`...)
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.AppendValue(b, v)
	}
	return base64.RawURLEncoding.EncodeToString(append(b, "]}"...))
}

// decodeCursor checks that a cursor belongs to this sort and normalises its values.
func decodeCursor(s string, keys []sortKey) ([]any, error) {
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
		nv, p := keys[i].col.codec.Normalize(v)
		if p != nil {
			return nil, errCursor
		}
		c.Values[i] = nv
	}
	return c.Values, nil
}
