package httpapi

import (
	"bufio"
	"fmt"
	"io"
)

// csvReader reads RFC 4180 records as encoding/csv does (LazyQuotes off, \r\n read as
// \n, blank lines skipped), and also tells which fields were quoted: an empty field is
// a null, a quoted empty one ("") an empty string, as exports write them. encoding/csv
// does not tell the two apart. A record holds at most max bytes.
type csvReader struct {
	r      *bufio.Reader
	max    int
	line   int // lines read
	start  int // the line the last record began on
	lbuf   []byte
	rec    []byte // the fields of the record, one after another
	ends   []int
	fields []string
	quoted []bool
}

// csvSyntaxError is a record that is not RFC 4180.
type csvSyntaxError struct {
	line int
	msg  string
}

func (e *csvSyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func newCSVReader(r *bufio.Reader, max int) *csvReader { return &csvReader{r: r, max: max} }

// nextLine reads one line without its \n (or \r\n); io.EOF when nothing is left.
func (c *csvReader) nextLine() ([]byte, error) {
	b, err := readLine(c.r, &c.lbuf, c.max)
	if err != nil {
		return nil, err
	}
	c.line++
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1] // \r\n, or a \r before the end of the body, as encoding/csv drops it
	}
	return b, nil
}

// Read reads the next record: its fields, valid until the next call, and whether each
// was quoted; io.EOF after the last.
func (c *csvReader) Read() ([]string, []bool, error) {
	var line []byte
	var err error
	for len(line) == 0 { // blank lines are skipped
		if line, err = c.nextLine(); err != nil {
			return nil, nil, err
		}
	}
	c.start = c.line
	c.rec, c.ends, c.quoted = c.rec[:0], c.ends[:0], c.quoted[:0]
	for {
		if len(line) > 0 && line[0] == '"' { // a quoted field, which may span lines
			line = line[1:]
			for {
				i := indexByte(line, '"')
				if i < 0 {
					c.rec = append(c.rec, line...)
					if len(c.rec) > c.max {
						return nil, nil, errLineTooLong{c.max}
					}
					if line, err = c.nextLine(); err == io.EOF {
						return nil, nil, &csvSyntaxError{c.start, "a quoted field is not closed"}
					} else if err != nil {
						return nil, nil, err
					}
					c.rec = append(c.rec, '\n')
					continue
				}
				c.rec = append(c.rec, line[:i]...)
				line = line[i+1:]
				if len(line) > 0 && line[0] == '"' { // "" is a quote
					c.rec = append(c.rec, '"')
					line = line[1:]
					continue
				}
				break
			}
			c.ends, c.quoted = append(c.ends, len(c.rec)), append(c.quoted, true)
			if len(line) == 0 {
				break
			}
			if line[0] != ',' {
				return nil, nil, &csvSyntaxError{c.line, `a quoted field is followed by something else than a comma (a " inside a quoted field is written "")`}
			}
			line = line[1:]
			if len(line) == 0 {
				c.ends, c.quoted = append(c.ends, len(c.rec)), append(c.quoted, false)
				break
			}
			continue
		}
		i := indexByte(line, ',')
		field := line
		if i >= 0 {
			field = line[:i]
		}
		if indexByte(field, '"') >= 0 {
			return nil, nil, &csvSyntaxError{c.line, `a " in a field that is not quoted`}
		}
		c.rec = append(c.rec, field...)
		c.ends, c.quoted = append(c.ends, len(c.rec)), append(c.quoted, false)
		if i < 0 {
			break
		}
		line = line[i+1:]
		if len(line) == 0 { // a trailing comma: one more, empty, field
			c.ends, c.quoted = append(c.ends, len(c.rec)), append(c.quoted, false)
			break
		}
	}
	s := string(c.rec)
	c.fields = c.fields[:0]
	from := 0
	for _, end := range c.ends {
		c.fields = append(c.fields, s[from:end])
		from = end
	}
	return c.fields, c.quoted, nil
}

func indexByte(b []byte, x byte) int {
	for i, y := range b {
		if y == x {
			return i
		}
	}
	return -1
}
