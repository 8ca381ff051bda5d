package auth

import (
	"unicode"
	"unicode/utf8"

	"forma.dev/shared/problem"
)

// TextReason is the reason given for a name that Postgres cannot store or that holds
// control characters.
const TextReason = "must be UTF-8 text without NUL or other control characters"

// CheckText adds an invalid_value problem at path when s is not valid UTF-8 or holds a
// control character (U+0000 among them, which a Postgres text column refuses).
func CheckText(probs *problem.List, path, s string) {
	if !utf8.ValidString(s) {
		probs.Add(path, problem.InvalidValue, map[string]any{"reason": TextReason})
		return
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			probs.Add(path, problem.InvalidValue, map[string]any{"reason": TextReason})
			return
		}
	}
}
