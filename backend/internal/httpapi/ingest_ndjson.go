package httpapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/records"
	"forma.dev/shared/problem"
	"forma.dev/shared/record"
)

// jsonSpace is what JSON takes as white space around a value.
const jsonSpace = " \t\r\n"

// ndjsonRows reads an NDJSON body: one JSON object a line, blank lines skipped, each
// checked as a JSON body is (checkJSON). A row is numbered by its line. A line that is
// not one JSON object is a problem of its row, and the lines after it are still read.
type ndjsonRows struct {
	r    *bufio.Reader
	line int
	max  int
	buf  []byte
	body map[string]any
}

func newNDJSONRows(r *bufio.Reader, maxLine int) *ndjsonRows {
	return &ndjsonRows{r: r, max: maxLine, body: map[string]any{}}
}

func (s *ndjsonRows) Start(*record.Validator) error { return nil }

func (s *ndjsonRows) Next(row *records.ImportRow) (bool, error) {
	for {
		b, err := readLine(s.r, &s.buf, s.max)
		if err == io.EOF {
			return false, nil
		}
		s.line++
		if err != nil {
			return false, lineError(err, s.line)
		}
		if b = bytes.Trim(b, jsonSpace); len(b) == 0 {
			continue
		}
		row.N, row.Body, row.Problems = s.line, nil, row.Problems[:0]
		if f := checkJSON(b); f != nil {
			row.Problems = append(row.Problems, faultProblems(f)...)
			return true, nil
		}
		clear(s.body)
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		err = dec.Decode(&s.body)
		if err == nil {
			if _, err2 := dec.Token(); err2 != io.EOF {
				err = errors.New("more than one JSON value on the line")
			}
		}
		if err != nil {
			row.Problems = append(row.Problems, problem.New("", problem.InvalidFormat,
				map[string]any{"format": "JSON object", "reason": err.Error()}))
			return true, nil
		}
		row.Body = s.body
		return true, nil
	}
}

// faultProblems is a line's checkJSON fault as the problems of its row.
func faultProblems(f *jsonFault) problem.List {
	if e := apperr.As(f.err()); e != nil && len(e.Problems) > 0 {
		return e.Problems
	}
	return problem.List{problem.New("", problem.InvalidValue, map[string]any{"reason": f.detail})}
}

// errLineTooLong is a line (or CSV record) longer than a JSON body may be.
type errLineTooLong struct{ max int }

func (e errLineTooLong) Error() string { return fmt.Sprintf("longer than %d bytes", e.max) }

// readLine reads the next line of r without its \n, holding at most max bytes of it
// (in *buf when it is longer than r's buffer); io.EOF when nothing is left.
func readLine(r *bufio.Reader, buf *[]byte, max int) ([]byte, error) {
	b, err := r.ReadSlice('\n')
	if err == nil {
		return b[:len(b)-1], nil
	}
	if err == io.EOF {
		if len(b) == 0 {
			return nil, io.EOF
		}
		return b, nil
	}
	if err != bufio.ErrBufferFull {
		return nil, err
	}
	*buf = append((*buf)[:0], b...)
	for {
		b, err = r.ReadSlice('\n')
		if len(*buf)+len(b) > max {
			return nil, errLineTooLong{max}
		}
		*buf = append(*buf, b...)
		switch {
		case err == nil:
			return (*buf)[:len(*buf)-1], nil
		case err == io.EOF:
			return *buf, nil
		case err != bufio.ErrBufferFull:
			return nil, err
		}
	}
}

// lineError is an error reading line n of a streamed body, as the user error it is.
func lineError(err error, n int) error {
	var long errLineTooLong
	if errors.As(err, &long) {
		return apperr.New(apperr.Invalid, fmt.Sprintf("line %d is %s (the limit of a JSON body); nothing was written", n, long.Error()))
	}
	return bodyError(err)
}
