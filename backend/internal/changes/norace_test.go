//go:build !race

package changes_test

// raceStacks: no race detector, nothing added (race_test.go).
const raceStacks = 0
