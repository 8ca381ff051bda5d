package schema

import "sort"

// MatchFields pairs the fields of a new definition with those of the old one: for each
// new field, the index of the old field it continues, or -1 for a new field. A new field
// with an id matches the old field with that id; a new field without one matches the
// old field of the same name that no new field's id claims. Each old field matches once,
// the first of several with the same id or name first. It takes linear time.
func MatchFields(old, next []Field) []int {
	match := make([]int, len(next))
	taken := make([]bool, len(old))
	claimed := make(map[string]bool, len(next))
	for _, f := range next {
		if f.ID != "" {
			claimed[f.ID] = true
		}
	}
	byID := make(map[string][]int, len(old))
	byName := make(map[string][]int, len(old))
	for j, o := range old {
		if o.ID != "" {
			byID[o.ID] = append(byID[o.ID], j)
		}
		if o.ID == "" || !claimed[o.ID] {
			byName[o.Name] = append(byName[o.Name], j)
		}
	}
	for i, f := range next {
		match[i] = -1
		if f.ID != "" {
			match[i] = takeFirst(byID, f.ID, taken)
		}
	}
	for i, f := range next {
		if f.ID == "" {
			match[i] = takeFirst(byName, f.Name, taken)
		}
	}
	return match
}

// takeFirst takes the first old field listed under key that is not taken yet, or
// returns -1; the taken ones it passes are dropped from the list.
func takeFirst(index map[string][]int, key string, taken []bool) int {
	list := index[key]
	for len(list) > 0 && taken[list[0]] {
		list = list[1:]
	}
	if len(list) == 0 {
		index[key] = nil
		return -1
	}
	j := list[0]
	taken[j], index[key] = true, list[1:]
	return j
}

// AssignIDs gives every field of next an id: the id of the old field it continues (see
// MatchFields), or a fresh one from newID. Fields that have an id keep it.
func AssignIDs(old, next *Model, newID func() string) {
	var prev []Field
	if old != nil {
		prev = old.Fields
	}
	for i, j := range MatchFields(prev, next.Fields) {
		f := &next.Fields[i]
		switch {
		case f.ID != "":
		case j >= 0 && prev[j].ID != "":
			f.ID = prev[j].ID
		default:
			f.ID = newID()
		}
	}
}

// SortedFields returns the fields in display order: by Order, then as listed.
func SortedFields(m Model) []Field {
	out := append([]Field(nil), m.Fields...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	return out
}
