package auth_test

import (
	"testing"

	"forma.dev/backend/internal/auth"
	"forma.dev/shared/problem"
)

func TestCheckTextRefusesWhatPostgresCannotStore(t *testing.T) {
	t.Parallel()
	for s, ok := range map[string]bool{
		"Acme": true, "Zürich – 東京": true, "": true,
		"a\x00b": false, "a\xffb": false, "\xc3": false, "a\nb": false, "a\u0085b": false,
	} {
		var probs problem.List
		auth.CheckText(&probs, "name", s)
		if got := len(probs) == 0; got != ok || !ok && (probs[0].Path != "name" || probs[0].Code != problem.InvalidValue) {
			t.Errorf("CheckText(%q) = %v, want ok=%v", s, probs, ok)
		}
	}
}
