package httpapi

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/records"
	"forma.dev/shared/fieldtype"
	"forma.dev/shared/problem"
	"forma.dev/shared/record"
	"forma.dev/shared/schema"
)

// csvRows reads a CSV body: a header row of field names (after a UTF-8 byte order mark,
// if any), then a record a row, each
// numbered from 1 (the first after the header). A cell's text is read as its field's
// type reads typed text (fieldtype.FromText). An empty cell is null; a quoted empty one
// ("") is an empty string for a type whose text is kept as it is (Input.Parse "text":
// text, email, url, …), null for the others. A row with another number of cells than
// the header is a problem of its row; a syntax error ends the import.
type csvRows struct {
	r      *csvReader
	header []string
	cols   []csvColumn
	row    int
	body   map[string]any
}

// csvColumn is a header cell: the field it names and how its type reads text.
type csvColumn struct {
	name, parse string
}

func newCSVRows(r *bufio.Reader, maxRecord int) *csvRows {
	return &csvRows{r: newCSVReader(r, maxRecord), body: map[string]any{}}
}

// Start reads the header (once) and checks its names against the model's fields.
func (s *csvRows) Start(v *record.Validator) error {
	if s.header == nil {
		if b, _ := s.r.r.Peek(3); string(b) == "\ufeff" { // a byte order mark, as spreadsheets write
			_, _ = s.r.r.Discard(3)
		}
		fields, _, err := s.r.Read()
		if err == io.EOF {
			return apperr.New(apperr.Invalid, "the CSV body is empty: its first row must name the fields")
		}
		if err != nil {
			return csvError(err, s.r.line)
		}
		s.header = slices.Clone(fields)
	}
	var probs problem.List
	s.cols = s.cols[:0]
	for i, name := range s.header {
		path := "header." + name
		f, ok := v.Field(name)
		switch {
		case slices.Contains(s.header[:i], name):
			probs.Add(path, problem.Duplicate, map[string]any{"name": name})
		case !ok && slices.Contains(schema.SystemColumns, name):
			probs.Add(path, problem.ReadOnly, nil)
		case !ok:
			probs.Add(path, problem.UnknownField, map[string]any{"name": name})
		case f.AutoNow || f.AutoNowAdd:
			probs.Add(path, problem.ReadOnly, nil)
		default:
			t, _ := fieldtype.Lookup(f.Type)
			s.cols = append(s.cols, csvColumn{name: name, parse: t.Describe().Input.Parse})
		}
	}
	if len(probs) > 0 {
		return apperr.Validation("the CSV header must name fields of the model, each once", probs)
	}
	return nil
}

func (s *csvRows) Next(row *records.ImportRow) (bool, error) {
	cells, quoted, err := s.r.Read()
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, csvError(err, s.r.line+1)
	}
	s.row++
	row.N, row.Body, row.Problems = s.row, nil, row.Problems[:0]
	if len(cells) != len(s.cols) {
		row.Problems = append(row.Problems, problem.New("", problem.InvalidValue,
			map[string]any{"reason": fmt.Sprintf("the row has %d cells, the header %d", len(cells), len(s.cols))}))
		return true, nil
	}
	clear(s.body)
	for i, col := range s.cols {
		cell := cells[i]
		if cell == "" {
			if quoted[i] && col.parse == "text" {
				s.body[col.name] = ""
			} else {
				s.body[col.name] = nil
			}
			continue
		}
		v, p := fieldtype.FromText(col.parse, cell)
		if p != nil {
			p.Path = col.name
			row.Problems = append(row.Problems, *p)
			continue
		}
		s.body[col.name] = v
	}
	if len(row.Problems) > 0 {
		return true, nil
	}
	row.Body = s.body
	return true, nil
}

// csvError is an error reading a CSV body, as the user error it is.
func csvError(err error, line int) error {
	var syntax *csvSyntaxError
	var long errLineTooLong
	switch {
	case errors.As(err, &syntax):
		return apperr.New(apperr.Invalid, "malformed CSV at "+syntax.Error()+"; nothing was written")
	case errors.As(err, &long):
		return apperr.New(apperr.Invalid, fmt.Sprintf("the CSV record at line %d is %s (the limit of a JSON body); nothing was written", line, long.Error()))
	}
	return bodyError(err)
}
