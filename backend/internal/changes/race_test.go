//go:build race

package changes_test

// raceStacks is what the race detector adds to an idle stream's stacks: it doubles the
// room a goroutine keeps free, so the stacks stop shrinking at twice the size.
const raceStacks = 8 << 10
