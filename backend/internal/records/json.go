package records

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// AppendJSON appends the record as a JSON object with keys in column order, byte for
// byte what encoding/json writes for it (HTML-safe strings).
func (r *Record) AppendJSON(dst []byte) []byte {
	if r == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '{')
	for i, c := range r.cols {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, c.jsonKey...)
		dst = appendValue(dst, r.vals[i])
	}
	return append(dst, '}')
}

// MarshalJSON writes the record as AppendJSON does.
func (r *Record) MarshalJSON() ([]byte, error) {
	return r.AppendJSON(make([]byte, 0, 64*len(r.cols))), nil
}

// AppendJSON appends the page as {"data":[...],"next_cursor":...}.
func (p *Page) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"data":`...)
	dst = AppendList(dst, p.Data)
	dst = append(dst, `,"next_cursor":`...)
	if p.NextCursor == nil {
		dst = append(dst, "null"...)
	} else {
		dst = appendString(dst, *p.NextCursor)
	}
	return append(dst, '}')
}

// MarshalJSON writes the page as AppendJSON does.
func (p *Page) MarshalJSON() ([]byte, error) { return p.AppendJSON(nil), nil }

// AppendList appends records as a JSON array (null for a nil slice, as encoding/json).
func AppendList(dst []byte, recs []*Record) []byte {
	if recs == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, r := range recs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = r.AppendJSON(dst)
	}
	return append(dst, ']')
}

// appendValue appends one value of a record: what rowScanner reads from the driver, or a
// related record put in by expand.
func appendValue(dst []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...)
	case *int64:
		return strconv.AppendInt(dst, *v, 10)
	case *string:
		return appendString(dst, *v)
	case *time.Time:
		return appendTime(dst, *v)
	case int64:
		return strconv.AppendInt(dst, v, 10)
	case float64:
		return appendFloat(dst, v)
	case bool:
		return strconv.AppendBool(dst, v)
	case string:
		return appendString(dst, v)
	case time.Time:
		return appendTime(dst, v)
	case json.RawMessage:
		return appendRawJSON(dst, v)
	case *Record:
		return v.AppendJSON(dst)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return append(dst, "null"...)
	}
	return append(dst, b...)
}

// appendTime writes a datetime as RFC 3339 text in UTC with the fraction's trailing
// zeros dropped, as time.RFC3339Nano does (and does for years outside 0-9999, which it
// writes its own way). A list page holds three datetimes a row, so this is written out
// digit by digit: a third of the cost of AppendFormat.
func appendTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		dst = append(dst, '"')
		return append(t.AppendFormat(dst, time.RFC3339Nano), '"')
	}
	hour, minute, sec := t.Clock()
	dst = append(dst, '"',
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10))
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i > 0; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		dst = append(dst, frac[:n]...)
	}
	return append(dst, 'Z', '"')
}

// appendFloat writes a float as encoding/json does (ES6 number formatting). NaN and
// infinities, which Postgres can hold and JSON cannot, are written as null.
func appendFloat(dst []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return append(dst, "null"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}
