package auth_test

import (
	"strings"
	"testing"

	"forma.dev/backend/internal/auth"
)

func TestNewSecretIsRandomAndParsesBack(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		s, err := auth.NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		if seen[s.Plain] || seen[s.LookupID] {
			t.Fatalf("repeated key or lookup id: %s", s.Plain)
		}
		seen[s.Plain], seen[s.LookupID] = true, true
		if !strings.HasPrefix(s.Plain, auth.KeyPrefix) || len(s.Plain) < 3+16+1+43 {
			t.Fatalf("key %q is not fk_<16 hex>_<43 base64url>", s.Plain)
		}
		if id, ok := auth.LookupID(s.Plain); !ok || id != s.LookupID {
			t.Fatalf("LookupID(%q) = %q, %v; want %q", s.Plain, id, ok, s.LookupID)
		}
		if !auth.Matches(s.Plain, s.Hash) || auth.Matches(s.Plain+"x", s.Hash) {
			t.Fatalf("Matches is wrong for %q", s.Plain)
		}
		if strings.Contains(string(s.Hash), s.Plain) || len(s.Hash) != 32 {
			t.Fatalf("hash is not a SHA-256")
		}
	}
}

func TestLookupIDRejectsMalformedKeys(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"", "fk_", "fk_abc", "fk_0123456789abcdef", "fk_0123456789abcdef_",
		"fk_0123456789abcdeg_secret", "fk_0123456789ABCDEFG_secret", "xx_0123456789abcdef_secret", "Bearer x"} {
		if id, ok := auth.LookupID(k); ok {
			t.Errorf("LookupID(%q) = %q, true", k, id)
		}
	}
}

func TestRolesIncludeTheOnesBelow(t *testing.T) {
	t.Parallel()
	want := map[auth.Role]map[auth.Role]bool{
		auth.Admin: {auth.Admin: true, auth.Write: true, auth.Read: true},
		auth.Write: {auth.Admin: false, auth.Write: true, auth.Read: true},
		auth.Read:  {auth.Admin: false, auth.Write: false, auth.Read: true},
		"":         {auth.Admin: false, auth.Write: false, auth.Read: false},
		"owner":    {auth.Admin: false, auth.Write: false, auth.Read: false},
	}
	for have, needs := range want {
		for need, ok := range needs {
			if have.Allows(need) != ok {
				t.Errorf("%q.Allows(%q) = %v, want %v", have, need, !ok, ok)
			}
		}
		if have.Allows("") || have.Allows("owner") {
			t.Errorf("%q allows an unknown role", have)
		}
	}
}

func TestIsPlatformKey(t *testing.T) {
	t.Parallel()
	const k = "platform-key-0123456789"
	for _, c := range []struct {
		presented, configured string
		want                  bool
	}{
		{k, k, true}, {k + "x", k, false}, {k[:10], k, false}, {"", k, false}, {"", "", false}, {k, "", false},
	} {
		if got := auth.IsPlatformKey(c.presented, c.configured); got != c.want {
			t.Errorf("IsPlatformKey(%q, %q) = %v", c.presented, c.configured, got)
		}
	}
}
