package plan

import "sort"

// rename is one pending rename of a column, constraint or index of one table.
type rename struct {
	kind     Kind
	from, to string
	orig     string // the name before any temporary one
	op       Op     // the op to emit, without its names filled in
}

// orderRenames orders renames so that none takes a name that a pending rename still
// has to give up; a cycle (a→b, b→a) goes through a temporary name: a→tmp, b→a, tmp→b.
func orderRenames(pending []rename, temp func(from string) string) []rename {
	pending = append([]rename(nil), pending...)
	sort.SliceStable(pending, func(i, j int) bool { return pending[i].from < pending[j].from })
	held := make(map[string]int, len(pending))
	for _, r := range pending {
		held[r.from]++
	}
	blocked := func(r rename) bool { return held[r.to] > 0 && r.to != r.from }
	var out []rename
	limit := 2*len(pending) + 2 // each round emits one or more renames or breaks a cycle
	for round := 0; len(pending) > 0 && round < limit; round++ {
		progressed := false
		for i := 0; i < len(pending); i++ {
			if r := pending[i]; !blocked(r) {
				out = append(out, r)
				held[r.from]--
				pending = append(pending[:i], pending[i+1:]...)
				i--
				progressed = true
			}
		}
		if progressed || len(pending) == 0 {
			continue
		}
		i := onCycle(pending)
		r := pending[i]
		tmp := temp(r.from)
		out = append(out, rename{kind: r.kind, from: r.from, to: tmp, op: r.op})
		held[r.from]--
		held[tmp]++
		if pending[i].orig == "" {
			pending[i].orig = r.from
		}
		pending[i].from = tmp
	}
	return append(out, pending...) // only on input no valid definition produces
}

// onCycle returns the index of a pending rename on a cycle, following each rename to
// the one that holds its target, starting from the first. It takes linear time.
func onCycle(pending []rename) int {
	holders := make(map[string][]int, len(pending))
	for j, r := range pending {
		holders[r.from] = append(holders[r.from], j)
	}
	seen := make(map[int]bool, len(pending))
	i := 0
	for !seen[i] {
		seen[i] = true
		next := -1
		for _, j := range holders[pending[i].to] {
			if j != i {
				next = j
				break
			}
		}
		if next < 0 {
			return i
		}
		i = next
	}
	return i
}

func sortStrings(s []string) { sort.Strings(s) }
