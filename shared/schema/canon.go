package schema

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Canonical encodes a value decoded from JSON (or normalised by a field type) so that
// equal values encode equally: object keys sorted, numbers in one form whatever their
// spelling (3, 3.0, 3e0, json.Number("3") and int64(3) all encode as 3e0).
func Canonical(v any) string {
	var b strings.Builder
	writeCanonical(&b, v, 0)
	return b.String()
}

// maxDepth bounds recursion on hostile input; deeper values encode as a marker.
const maxDepth = 10000

func writeCanonical(b *strings.Builder, v any, depth int) {
	if depth > maxDepth {
		b.WriteString("…")
		return
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case string:
		b.WriteString(strconv.Quote(x))
	case float64:
		b.WriteString(floatNumber(x))
	case float32:
		b.WriteString(floatNumber(float64(x)))
	case int:
		b.WriteString(canonicalNumber(strconv.Itoa(x)))
	case int64:
		b.WriteString(canonicalNumber(strconv.FormatInt(x, 10)))
	case json.Number:
		b.WriteString(canonicalNumber(string(x)))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCanonical(b, e, depth+1)
		}
		b.WriteByte(']')
	case []string:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(e))
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(k))
			b.WriteByte(':')
			writeCanonical(b, x[k], depth+1)
		}
		b.WriteByte('}')
	default:
		writeOther(b, v, depth)
	}
}

// writeOther encodes any other value through its JSON form.
func writeOther(b *strings.Builder, v any, depth int) {
	data, err := json.Marshal(v)
	if err != nil {
		b.WriteString(strconv.Quote("!" + err.Error()))
		return
	}
	var back any
	d := json.NewDecoder(strings.NewReader(string(data)))
	d.UseNumber()
	if d.Decode(&back) != nil {
		b.WriteString(strconv.Quote(string(data)))
		return
	}
	writeCanonical(b, back, depth+1)
}

func floatNumber(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.Quote(strconv.FormatFloat(f, 'g', -1, 64))
	}
	return canonicalNumber(strconv.FormatFloat(f, 'g', -1, 64))
}
