package fieldtype

import "testing"

// TestCSVCells: an empty cell is null, a quoted empty one "" for text types only; the
// text a writer quotes includes the empty string.
func TestCSVCells(t *testing.T) {
	for _, c := range []struct {
		parse, cell string
		quoted      bool
		want        any
	}{{"text", "", true, ""}, {"text", "", false, nil}, {"json", "", true, nil}, {"bool", "", false, nil}, {"text", "a", true, "a"}, {"bool", "true", false, true}} {
		if got, p := FromCSVCell(c.parse, c.cell, c.quoted); got != c.want || p != nil {
			t.Errorf("%+v: %v %v", c, got, p)
		}
	}
	for s, want := range map[string]bool{"": true, "a": false, " a": true, "a\t": true, "a,b": true, `a"`: true, "a\r\nb": true, "a b": false} {
		if CSVQuoted(s) != want {
			t.Errorf("%q: quoted %v", s, !want)
		}
	}
}
