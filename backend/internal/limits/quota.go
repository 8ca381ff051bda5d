package limits

import (
	"fmt"

	"forma.dev/backend/internal/apperr"
	"forma.dev/shared/schema"
)

// Exceeded is the 409 quota_exceeded of limit n at max, with the limit and its value
// as members of the problem document.
func Exceeded(n Name, max int64, detail string) *apperr.Error {
	return apperr.New(apperr.QuotaExceeded, detail).With("limit", n.Key()).With("max", max)
}

// CheckSchema refuses a schema change from cur to next that goes over eff's Models or
// FieldsPerModel. Only growth is refused: a tenant already over a quota lowered under
// it may still change, shrink and drop what it has.
func CheckSchema(eff Set, cur, next []schema.Model) error {
	if max := eff[Models]; max > 0 && len(next) > len(cur) && int64(len(next)) > max {
		return Exceeded(Models, max, fmt.Sprintf("the tenant may have at most %d models; the change makes %d", max, len(next)))
	}
	max := eff[FieldsPerModel]
	if max <= 0 {
		return nil
	}
	before := make(map[string]int, len(cur))
	for _, m := range cur {
		before[m.Name] = len(m.Fields)
	}
	for _, m := range next {
		if n := len(m.Fields); int64(n) > max && n > before[m.Name] {
			return Exceeded(FieldsPerModel, max, fmt.Sprintf("a model may have at most %d fields; the change gives %q %d", max, m.Name, n))
		}
	}
	return nil
}
