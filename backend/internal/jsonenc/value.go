package jsonenc

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// Appender is a value that writes itself as JSON (a related record put in a record).
type Appender interface {
	AppendJSON(dst []byte) []byte
}

// AppendValue appends one value of a record: what wire.Scanner reads from the driver
// (slab values as their pointers), or an Appender.
func AppendValue(dst []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...)
	case *int64:
		return strconv.AppendInt(dst, *v, 10)
	case *string:
		return AppendString(dst, *v)
	case *time.Time:
		return AppendTime(dst, *v)
	case int64:
		return strconv.AppendInt(dst, v, 10)
	case float64:
		return appendFloat(dst, v)
	case bool:
		return strconv.AppendBool(dst, v)
	case string:
		return AppendString(dst, v)
	case time.Time:
		return AppendTime(dst, v)
	case json.RawMessage:
		return AppendRawJSON(dst, v)
	case Appender:
		return v.AppendJSON(dst)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return append(dst, "null"...)
	}
	return append(dst, b...)
}

// AppendTime writes a datetime as RFC 3339 text in UTC with the fraction's trailing
// zeros dropped, as time.RFC3339Nano does (and does for years outside 0-9999, which it
// writes its own way). A list page holds three datetimes a row, so this is written out
// digit by digit: a third of the cost of AppendFormat.
func AppendTime(dst []byte, t time.Time) []byte {
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
