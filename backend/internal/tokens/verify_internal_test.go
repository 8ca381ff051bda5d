package tokens

import (
	"strings"
	"testing"
)

func TestLooksLikeJWT(t *testing.T) {
	for bearer, want := range map[string]bool{
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln": true,
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.":      true, // alg none: a JWT, refused later
		"fk_0123456789abcdef_secret.with.dots":      false,
		"fk_0123456789abcdef_secret":                false,
		"a.b":                                       false,
		"a.b.c.d":                                   false,
		"a b.c.d":                                   false,
		"":                                          false,
	} {
		if got := LooksLikeJWT(bearer); got != want {
			t.Errorf("LooksLikeJWT(%q) = %v, want %v", bearer, got, want)
		}
	}
}

func TestClaimFollowsDotsOnlyWhenNoClaimHasTheName(t *testing.T) {
	claims := map[string]any{
		"https://app.example/role": "viewer",
		"app":                      map[string]any{"role": "editor"},
		"flat":                     "x",
	}
	for path, want := range map[string]any{"https://app.example/role": "viewer", "app.role": "editor", "flat.role": nil, "none": nil} {
		got, ok := claim(claims, path)
		if want == nil && ok || want != nil && got != want {
			t.Errorf("claim(%q) = %v %v, want %v", path, got, ok, want)
		}
	}
}

func TestCheckDefaultsAndKeepsTheStoredSecret(t *testing.T) {
	set, secret, probs := check(Input{Algorithm: HS256}, []byte(strings.Repeat("k", 32)))
	if len(probs) > 0 || string(secret) != strings.Repeat("k", 32) || set.RoleClaim != DefaultRoleClaim || set.AllowedRoles == nil {
		t.Fatalf("%+v %q %v", set, secret, probs)
	}
	_, _, probs = check(Input{Algorithm: HS256, Secret: strings.Repeat("s", 31), DefaultRole: "Bad Name"}, nil)
	var paths []string
	for _, p := range probs {
		paths = append(paths, p.Path+":"+p.Code)
	}
	if got := strings.Join(paths, " "); got != "jwt.default_role:invalid_name jwt.secret:invalid_value" {
		t.Fatalf("problems: %s", got)
	}
}
