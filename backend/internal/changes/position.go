package changes

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"forma.dev/backend/internal/apperr"
	"forma.dev/shared/problem"
)

// A position, as a stream's event ids show it, is "<n>-<feed tag>": the change's place in
// the log and a tag of the feed, so that a position of another model (or tenant) is
// refused rather than read as one of this feed.

// position renders position n of feed k.
func position(k feedKey, n int64) string { return strconv.FormatInt(n, 10) + "-" + feedTag(k) }

func feedTag(k feedKey) string {
	h := fnv.New32a()
	fmt.Fprintf(h, "%d/%s", k.tenant, k.model)
	return fmt.Sprintf("%08x", h.Sum32())
}

// parsePosition reads a Last-Event-ID of feed k: a 400 when it is malformed or names
// another feed.
func parsePosition(k feedKey, s string) (int64, error) {
	num, tag, ok := strings.Cut(s, "-")
	n, err := strconv.ParseInt(num, 10, 64)
	switch {
	case !ok || err != nil || n < 0:
		return 0, badPosition("is not a position of a change stream")
	case tag != feedTag(k):
		return 0, badPosition("is a position of another model's stream")
	}
	return n, nil
}

func badPosition(reason string) error {
	return apperr.Validation("the Last-Event-ID is not valid", problem.List{problem.New("Last-Event-ID",
		problem.InvalidValue, map[string]any{"reason": reason})})
}
