package changes

import (
	"bytes"
	"encoding/json"
	"strings"

	"forma.dev/backend/internal/records"
)

// filter is a stream's records.ChangeFilter, ready to run on the log.
type filter struct {
	key       string // the statement and its values: streams with equal keys share one run
	sql       string
	args      []any
	where     string
	none      bool
	fields    []string // nil: every field
	fieldsKey string
}

// compile renders rf as a statement over the log: each change of the batch ($1) read as
// a row of the model's table, the list path's conditions on it.
func compile(rf *records.ChangeFilter) *filter {
	fl := &filter{where: rf.Where, args: rf.Args, none: rf.None, fields: rf.Fields}
	if rf.Fields != nil {
		fl.fieldsKey = "[" + strings.Join(rf.Fields, ",")
	}
	if fl.where == "" || fl.none {
		return fl
	}
	fl.sql = `SELECT s.__pos FROM (SELECT c.id AS __pos, r.* FROM forma.changes c
	CROSS JOIN LATERAL json_populate_record(NULL::` + rf.RowType + `, c.record) AS r
	WHERE c.id = ANY($1)) AS s WHERE ` + rf.Where
	vals, _ := json.Marshal(rf.Args)
	fl.key = fl.sql + "\x00" + string(vals)
	return fl
}

// trim keeps the members of a record (a JSON object) named in fields, in that order; nil
// fields keeps it whole.
func trim(record []byte, fields []string) []byte {
	if fields == nil {
		return record
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(record, &members); err != nil {
		return []byte("{}")
	}
	var b bytes.Buffer
	b.WriteByte('{')
	n := 0
	for _, name := range fields {
		v, ok := members[name]
		if !ok {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		k, _ := json.Marshal(name)
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes()
}
