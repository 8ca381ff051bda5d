package records

import (
	"strconv"
	"strings"
	"time"
)

// A record's ETag is its updated_at in Unix microseconds, quoted: every write bumps
// updated_at, and Postgres keeps microseconds, so the tag changes with every write.
// etagSQL computes the same number in SQL for If-Match conditions.
const etagSQL = `(extract(epoch from "updated_at") * 1000000)::bigint`

// ETag returns the record's entity tag, or "" when it has no updated_at.
func (r *Record) ETag() string {
	v, _ := r.Get("updated_at")
	ts, ok := v.(time.Time)
	if !ok {
		return ""
	}
	var b [24]byte
	tag := append(b[:0], '"')
	tag = strconv.AppendInt(tag, ts.UnixMicro(), 10)
	return string(append(tag, '"'))
}

// ParseETag reads an If-Match value; ok is false when it cannot be one of our tags.
// A weak tag (W/"...") is accepted as its strong form.
func ParseETag(h string) (micros int64, ok bool) {
	h = strings.TrimPrefix(strings.TrimSpace(h), "W/")
	if len(h) < 2 || h[0] != '"' || h[len(h)-1] != '"' {
		return 0, false
	}
	n, err := strconv.ParseInt(h[1:len(h)-1], 10, 64)
	return n, err == nil
}
