package access_test

import (
	"testing"

	"forma.dev/shared/access"
)

// BenchmarkCompile compiles and checks the tests' viewer role, as a role's PUT does.
func BenchmarkCompile(b *testing.B) {
	ms, r := models(b), role(b, viewer)
	for b.Loop() {
		s, list := access.Compile(r, ms)
		if len(list) > 0 {
			b.Fatal(list)
		}
		if list := s.Check(ms); len(list) > 0 {
			b.Fatal(list)
		}
	}
}
