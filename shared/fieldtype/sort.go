package fieldtype

import (
	"sort"

	"forma.dev/shared/problem"
)

// sortProblems orders problems by path so that map iteration never changes the answer.
func sortProblems(list problem.List) {
	sort.SliceStable(list, func(i, j int) bool { return list[i].Path < list[j].Path })
}
