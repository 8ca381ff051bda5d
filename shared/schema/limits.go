package schema

import (
	"forma.dev/shared/fieldtype"
	"forma.dev/shared/problem"
)

// Bounds of a definition. Each list and string in one has a bound, so that validating,
// hashing, planning and storing a definition takes bounded time and space. A list over
// its bound is reported once (max_items), and its items are not checked; a string over
// its bound is too_long. Lengths are in bytes of UTF-8. fieldtype.MaxOptionBytes bounds
// string options (a text field's pattern).
const (
	// MaxModels is the most models a tenant has.
	MaxModels = 500
	// MaxFields is the most fields a model has. With the three system columns it stays
	// well below Postgres's 1600 columns a table, which also counts dropped columns.
	MaxFields = 500
	// MaxChoices is the most choices a field has.
	MaxChoices = 1000
	// MaxChoiceBytes is the longest choice, as JSON.
	MaxChoiceBytes = 256
	// MaxDefaultBytes is the longest default, as JSON.
	MaxDefaultBytes = 4096
	// MaxUniqueTogether is the most unique_together groups a model has; a group names
	// at most MaxIndexColumns fields.
	MaxUniqueTogether = 32
	// MaxIndexes is the most entries of indexes a model has; an index has at most
	// MaxIndexColumns columns.
	MaxIndexes = 64
	// MaxLabelBytes is the longest label of a model or field.
	MaxLabelBytes = 256
	// MaxHelpBytes is the longest help of a field.
	MaxHelpBytes = 1024
	// MaxDescriptionBytes is the longest description of a model or field.
	MaxDescriptionBytes = 4096
)

// checkText reports a text attribute (label, help, description) longer than max bytes,
// with a NUL character or not valid UTF-8; path names the attribute.
func checkText(list *problem.List, path, s string, max int) {
	switch {
	case len(s) > max:
		list.Add(path, problem.TooLong, map[string]any{"max": max})
	case s != "":
		if p := fieldtype.CheckText(s); p != nil {
			p.Path = path
			*list = append(*list, *p)
		}
	}
}

// tooMany reports a list of n items over max at path and tells whether it did.
func tooMany(list *problem.List, path string, n, max int) bool {
	if n <= max {
		return false
	}
	list.Add(path, problem.MaxItems, map[string]any{"max": max})
	return true
}

// valueBytes is the size of a choice or default: a string's length, any other value's
// length as canonical JSON.
func valueBytes(v any) int {
	if s, ok := v.(string); ok {
		return len(s)
	}
	return len(Canonical(v))
}
