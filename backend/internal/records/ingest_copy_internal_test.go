package records

import (
	"strings"
	"testing"

	"forma.dev/shared/record"
)

// panickingRows panics when asked for a row, as a bug in a source would.
type panickingRows struct{}

func (panickingRows) Start(*record.Validator) error { return nil }
func (panickingRows) Next(*ImportRow) (bool, error) { panic("a bug in the source") }

// TestImportCopyRecoversPanics: pgx calls the COPY's source on a goroutine of its own,
// where a panic would end the process; Next and Values recover it as the source's error.
func TestImportCopyRecoversPanics(t *testing.T) {
	s := &importCopy{imp: &importer{rows: panickingRows{}}}
	if s.Next() || s.Err() == nil || !strings.Contains(s.Err().Error(), "a bug in the source") || !s.ended {
		t.Fatalf("Next: %v", s.Err())
	}
	s = &importCopy{imp: &importer{}, copyLayout: &copyLayout{cols: []*column{nil}, vals: make([]any, 1)}} // a nil column: Values panics
	if vals, err := s.Values(); vals != nil || err == nil || s.Err() != err {
		t.Fatalf("Values: %v %v", vals, err)
	}
}
