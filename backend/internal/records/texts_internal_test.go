package records

import (
	"strconv"
	"testing"

	"forma.dev/backend/internal/batch"
)

func columnsAt(pos ...int) []*column {
	cols := make([]*column, len(pos))
	for i, p := range pos {
		cols[i] = &column{pos: p}
	}
	return cols
}

// TestShapeKeysNameOneSetEach: every set of columns, and each kind of statement, has a
// key of its own, so no request is sent another shape's text.
func TestShapeKeysNameOneSetEach(t *testing.T) {
	seen := map[string]string{}
	places := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 15, 100, 255} // one whole key byte and others
	for _, kind := range []byte{'i', 'u', 'U'} {
		for set := range 1 << len(places) {
			var pos []int
			for i, p := range places {
				if set&(1<<i) != 0 {
					pos = append(pos, p)
				}
			}
			k := newShapeKey(kind, columnsAt(pos...))
			key, what := string(k.buf[:k.n]), string(kind)+strconv.Itoa(set)
			if other, dup := seen[key]; dup {
				t.Fatalf("%s and %s share the key %q", other, what, key)
			}
			seen[key] = what
		}
	}
}

// TestStatementTextsAreBuiltOnceAndBounded: a kept text is built once; past
// batch.MaxShapes, and for tables too wide to key, texts are built per request and
// not kept.
func TestStatementTextsAreBuiltOnceAndBounded(t *testing.T) {
	var s statementTexts
	builds := 0
	text := func(k shapeKey, want string) {
		t.Helper()
		if got := s.text(k, func() string { builds++; return want }); got != want {
			t.Fatalf("text %q, want %q", got, want)
		}
	}
	for i := range batch.MaxShapes {
		text(newShapeKey('i', columnsAt(i)), "set "+strconv.Itoa(i))
	}
	for i := range batch.MaxShapes {
		text(newShapeKey('i', columnsAt(i)), "set "+strconv.Itoa(i))
	}
	if builds != batch.MaxShapes {
		t.Fatalf("%d builds for %d shapes asked twice", builds, batch.MaxShapes)
	}
	past, wide := newShapeKey('u', columnsAt(1)), newShapeKey('i', columnsAt(3, 256))
	text(past, "past the bound")
	text(past, "past the bound")
	text(wide, "too wide")
	text(wide, "too wide")
	if builds != batch.MaxShapes+4 || s.Len() != batch.MaxShapes {
		t.Fatalf("%d builds, %d kept; want %d, %d", builds, s.Len(), batch.MaxShapes+4, batch.MaxShapes)
	}
}
