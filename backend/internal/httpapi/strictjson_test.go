package httpapi

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
)

func TestStrictBodiesNameWhatIsWrong(t *testing.T) {
	t.Parallel()
	for _, s := range []struct{ body, path, code string }{
		{`{"slug":"a","slug":"b"}`, "slug", "duplicate"},
		{`{"slug":"a","sl\u0075g":"b"}`, "slug", "duplicate"},
		{`[{"a":1},{"a":1},{"name":"x","b":{"c":[1,{"d":2,"d":3}]},"name":"y"}]`, "[2].b.c[1].d", "duplicate"},
		{`{"fields":[{"name":"a"},{"name":"b","name":"c"}]}`, "fields[1].name", "duplicate"},
		{`{"a":{"x":1},"b":{"x":1},"a":2}`, "a", "duplicate"},
		{`{"name":"a\ud800"}`, "name", "invalid_format"},
		{`{"name":"\udc00\ud800"}`, "name", "invalid_format"},
		{`{"name":"\ud800\u0041"}`, "name", "invalid_format"},
		{"{\"name\":\"caf\xe9\"}", "name", "invalid_format"},
		{"[1,\"\xed\xa0\x80\"]", "[1]", "invalid_format"},
		{"{\"a\":{\"b\xff\":1}}", "a", "invalid_format"},
		{`"\ud800"`, "", "invalid_format"},
	} {
		f := checkJSON([]byte(s.body))
		if f == nil || f.path != s.path || f.code != s.code {
			t.Errorf("checkJSON(%q) = %+v, want %s at %q", s.body, f, s.code, s.path)
		}
	}
	wide := `{`
	for i := 0; i < 100; i++ {
		wide += `"k` + strings.Repeat("x", i) + `":1,`
	}
	for _, ok := range []string{
		`{"a":1,"b":{"a":1},"c":[{"a":1},{"a":1}]}`, `{"a":"\ud83d\ude00 é","\u00e9":1,"é ":2}`, `[]`, `{}`, `"x"`, `12`,
		wide + `"other":1}`, strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth),
		`{"a":1,"b"`, `{"a":"\ud83d`, // malformed: left to encoding/json
	} {
		if f := checkJSON([]byte(ok)); f != nil {
			t.Errorf("checkJSON(%.60q) = %+v, want nil", ok, f)
		}
	}
	if f := checkJSON([]byte(wide + `"kxxx":2}`)); f == nil || f.path != "kxxx" {
		t.Errorf("a name twice in a wide object: %+v", f)
	}
}

func TestDeepBodiesAreRefusedFast(t *testing.T) {
	t.Parallel()
	for _, body := range []string{strings.Repeat("[", 100000), strings.Repeat(`{"a":`, 100000), strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1)} {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest("POST", "/", strings.NewReader(body))
		start := time.Now()
		_, err := decodeJSON(c)
		if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || !strings.Contains(e.Detail, "deeper") {
			t.Errorf("%.20q...: %v, want a 400 on the depth", body, err)
		}
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Errorf("%.20q...: took %v", body, d)
		}
	}
}

func TestBindJSONRefusesDuplicatesAndBadText(t *testing.T) {
	t.Parallel()
	var dst struct {
		Slug string `json:"slug"`
	}
	for body, path := range map[string]string{`{"slug":"a","slug":"b"}`: "slug", `{"slug":"\udfff"}`: "slug"} {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest("POST", "/", strings.NewReader(body))
		err := bindJSON(c, &dst)
		if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || len(e.Problems) != 1 || e.Problems[0].Path != path {
			t.Errorf("bindJSON(%s) = %v, want a 400 at %s", body, err, path)
		}
	}
}

// FuzzCheckJSON checks checkJSON against encoding/json on any input: it never panics,
// it refuses a valid body exactly when the body names a member twice in one object, holds
// text that encoding/json would rewrite to U+FFFD, or nests deeper than maxJSONDepth.
func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{`{"a":1,"a":2}`, `{"a":"\ud800"}`, "[\"\xff\"]", `{"a":[{"b":1},{"b":1,"c":{"b":2}}]}`,
		`{"\u0061":1,"a":2}`, `"\ud83d\ude00"`, `[[[[]]]]`, `{"a":1,"b"`, "{\"\xc3\xa9\":1}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fault := checkJSON(b)
		if !json.Valid(b) || strings.Contains(string(b), "\uFFFD") || strings.Contains(strings.ToLower(string(b)), `\ufffd`) {
			return // encoding/json refuses it anyway, or U+FFFD is in it as sent
		}
		dup, replaced, depth := reference(b)
		want := dup || replaced || depth > maxJSONDepth
		if (fault != nil) != want {
			t.Fatalf("checkJSON(%q) = %+v; encoding/json: duplicate %v, U+FFFD %v, depth %d", b, fault, dup, replaced, depth)
		}
	})
}

// reference reads b with encoding/json's tokenizer: whether an object names a member
// twice, whether a string came out with U+FFFD, and how deep it nests.
func reference(b []byte) (dup, replaced bool, depth int) {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	type container struct {
		names     map[string]bool // nil for an array
		expectKey bool
	}
	var stack []*container
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].names != nil {
			stack[n-1].expectKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return dup, replaced, depth
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				c := &container{}
				if v == '{' {
					c.names, c.expectKey = map[string]bool{}, true
				}
				stack = append(stack, c)
				depth = max(depth, len(stack))
				continue
			}
			stack = stack[:len(stack)-1]
		case string:
			replaced = replaced || strings.ContainsRune(v, '\uFFFD')
			if n := len(stack); n > 0 && stack[n-1].names != nil && stack[n-1].expectKey {
				dup = dup || stack[n-1].names[v]
				stack[n-1].names[v], stack[n-1].expectKey = true, false
				continue
			}
		}
		valueDone()
	}
}
