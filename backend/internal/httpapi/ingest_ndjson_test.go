package httpapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"forma.dev/backend/internal/records"
)

// FuzzNDJSONRows: every non-blank line is one row, numbered by its line; a row has a
// body exactly when its line is one JSON object that checkJSON lets through, and the
// body is that object.
func FuzzNDJSONRows(f *testing.F) {
	for _, s := range []string{"{}\n\n{\"a\":1}\r\n", "{\"a\":1,\"a\":2}\n[1]\n3\n", "  {\"x\":\"y\"}  \n{\n}", "{\"a\":1} {}\n", strings.Repeat("{\"k\":\"vvvvvvvvvvvv\"}", 3)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		rows := newNDJSONRows(bufio.NewReaderSize(strings.NewReader(in), 16), 1<<20)
		var row records.ImportRow
		lines := strings.Split(in, "\n")
		next := 0
		for {
			more, err := rows.Next(&row)
			if err != nil {
				t.Fatalf("%q: %v", in, err)
			}
			if !more {
				break
			}
			for next < len(lines) && len(bytes.Trim([]byte(lines[next]), jsonSpace)) == 0 {
				next++
			}
			if next >= len(lines) || row.N != next+1 {
				t.Fatalf("%q: row numbered %d, want line %d", in, row.N, next+1)
			}
			line := bytes.Trim([]byte(lines[next]), jsonSpace)
			next++
			var want map[string]any
			dec := json.NewDecoder(bytes.NewReader(line))
			dec.UseNumber()
			ok := line[0] == '{' && json.Valid(line) && checkJSON(line) == nil && dec.Decode(&want) == nil
			if ok != (row.Body != nil) {
				t.Fatalf("%q: line %d read as %v (%v), want a body: %v", in, row.N, row.Body, row.Problems, ok)
			}
			if ok {
				got, _ := json.Marshal(row.Body)
				exp, _ := json.Marshal(want)
				if !bytes.Equal(got, exp) {
					t.Fatalf("%q: line %d is %s, want %s", in, row.N, got, exp)
				}
			} else if len(row.Problems) == 0 {
				t.Fatalf("%q: line %d has neither a body nor a problem", in, row.N)
			}
		}
		for ; next < len(lines); next++ {
			if len(bytes.Trim([]byte(lines[next]), jsonSpace)) != 0 {
				t.Fatalf("%q: line %d not read", in, next+1)
			}
		}
	})
}

// TestStreamedRowsTooLong: a line, or a CSV record, longer than the bound ends the
// import with its line named.
func TestStreamedRowsTooLong(t *testing.T) {
	long := strings.Repeat("x", 100)
	nd := newNDJSONRows(bufio.NewReaderSize(strings.NewReader("{}\n{\"a\":\""+long+"\"}\n"), 16), 64)
	var row records.ImportRow
	if more, err := nd.Next(&row); !more || err != nil {
		t.Fatalf("line 1: %v %v", more, err)
	}
	if _, err := nd.Next(&row); err == nil || !strings.Contains(err.Error(), "line 2 is longer than 64 bytes") {
		t.Fatalf("line 2: %v", err)
	}
	cr := newCSVRows(bufio.NewReaderSize(strings.NewReader("b\n\""+long+"\n"+long+"\"\n"), 16), 64)
	cr.header = []string{"a"}
	cr.cols = []csvColumn{{name: "a", parse: "text"}}
	if more, err := cr.Next(&row); !more || err != nil || row.Body["a"] != "b" {
		t.Fatalf("row 1: %v %v %v", more, err, row.Body)
	}
	if _, err := cr.Next(&row); err == nil || !strings.Contains(err.Error(), "longer than 64 bytes") {
		t.Fatalf("row 2: %v", err)
	}
}
