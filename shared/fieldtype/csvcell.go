package fieldtype

import "forma.dev/shared/problem"

// A value's CSV cell, both ways: an export writes a null as an empty cell and an empty
// string as a quoted empty one (""), as Postgres' COPY … CSV does; an import reads an
// empty cell as null, and a quoted empty one as "" for a type whose text is kept as it
// is (Input.Parse "text"), null for the others. So an export's rows are an import's.

// FromCSVCell is the value of a CSV cell of a field whose type reads text as parse
// says (FromText), quoted when the cell was.
func FromCSVCell(parse, cell string, quoted bool) (any, *problem.Problem) {
	if cell == "" {
		if quoted && parse == "text" {
			return "", nil
		}
		return nil, nil
	}
	return FromText(parse, cell)
}

// CSVQuoted reports whether the text s must be written as a quoted CSV cell: when it is
// empty (an empty string, not a null), holds a comma, a quote or a line break, or has
// leading or trailing space (which spreadsheets trim).
func CSVQuoted(s string) bool {
	if s == "" || s[0] == ' ' || s[0] == '\t' || s[len(s)-1] == ' ' || s[len(s)-1] == '\t' {
		return true
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
			return true
		}
	}
	return false
}
