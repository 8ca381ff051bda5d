package records

import (
	"strconv"

	"forma.dev/backend/internal/jsonenc"
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
		dst = jsonenc.AppendValue(dst, r.vals[i])
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
		dst = jsonenc.AppendString(dst, *p.NextCursor)
	}
	if p.Total != nil {
		dst = strconv.AppendInt(append(dst, `,"total":`...), *p.Total, 10)
		dst = strconv.AppendBool(append(dst, `,"total_estimated":`...), p.TotalEstimated)
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
