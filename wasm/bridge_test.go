package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the want/error of every golden case in testdata/ from the bridge's answers")

// goldenCase is one file of testdata/: a call of one exported function and its answer.
// test/golden.mjs reads the same files and must get the same answers from forma.wasm.
type goldenCase struct {
	Description string `json:"description"`
	Call        string `json:"call"`
	// Args are the arguments: a JSON string is passed as it is (a mode, or deliberately
	// malformed JSON); any other value is passed as its JSON text.
	Args []json.RawMessage `json:"args"`
	// Want is the JSON answer; Error the error message, when the call must fail.
	Want  json.RawMessage `json:"want,omitempty"`
	Error string          `json:"error,omitempty"`
}

// argStrings turns the case's arguments into the strings the function receives.
func (c *goldenCase) argStrings(t *testing.T) []string {
	out := make([]string, len(c.Args))
	for i, raw := range c.Args {
		raw = bytes.TrimSpace(raw)
		if len(raw) > 0 && raw[0] == '"' {
			if err := json.Unmarshal(raw, &out[i]); err != nil {
				t.Fatalf("args[%d]: %v", i, err)
			}
			continue
		}
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			t.Fatalf("args[%d]: %v", i, err)
		}
		out[i] = b.String()
	}
	return out
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden cases in testdata/")
	}
	called := map[string]bool{}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var c goldenCase
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&c); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			called[c.Call] = true
			out, callErr := call(c.Call, c.argStrings(t))

			if *update {
				c.Want, c.Error = nil, ""
				if callErr != nil {
					c.Error = callErr.Error()
				} else {
					c.Want = json.RawMessage(out)
				}
				b, err := json.MarshalIndent(c, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}

			switch {
			case c.Error != "":
				if callErr == nil {
					t.Fatalf("want error %q, got %s", c.Error, out)
				}
				if callErr.Error() != c.Error {
					t.Fatalf("error\n got: %s\nwant: %s", callErr, c.Error)
				}
			case callErr != nil:
				t.Fatalf("unexpected error: %v", callErr)
			default:
				var got, want any
				if err := json.Unmarshal([]byte(out), &got); err != nil {
					t.Fatalf("answer is not JSON: %v\n%s", err, out)
				}
				if err := json.Unmarshal(c.Want, &want); err != nil {
					t.Fatalf("want: %v", err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("answer differs from the golden (go test ./wasm -run TestGolden -update rewrites it)\n got: %s\nwant: %s", out, compact(c.Want))
				}
			}
		})
	}
	if !*update && !t.Failed() {
		var missing []string
		for name := range exports {
			if !called[name] {
				missing = append(missing, name)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("no golden case calls %v", missing)
		}
	}
}

func TestCallChecksArguments(t *testing.T) {
	scenarios := []struct {
		name, fn string
		args     []string
		want     string
	}{
		{"unknown function", "nope", nil, `forma: no function "nope"`},
		{"too few", "plan", []string{"null"}, "forma.plan: want 2 arguments [oldJSON newJSON], got 1"},
		{"too many", "fieldTypes", []string{"x"}, "forma.fieldTypes: want 0 arguments [], got 1"},
		{"trailing data", "validateSchema", []string{"[] []"}, "modelsJSON: invalid JSON: data after the value"},
		{"role without models", "validateRole", []string{"{}"}, "forma.validateRole: want 2 arguments [roleJSON modelsJSON], got 1"},
		{"role not an object", "validateRole", []string{"[]", "[]"}, "roleJSON: invalid JSON: json: cannot unmarshal array into Go value of type access.Role"},
		{"role's models malformed", "validateRole", []string{"{}", "{"}, "modelsJSON: invalid JSON: unexpected EOF"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			_, err := call(s.fn, s.args)
			if err == nil || err.Error() != s.want {
				t.Fatalf("got %v, want %q", err, s.want)
			}
		})
	}
}

// validateRole answers as access.Compile does, null models being no models.
func TestValidateRole(t *testing.T) {
	out, err := validateRole(`{"permissions":{"post":{"get":{"fields":"*"}}}}`, "null")
	if err != nil || out != `[{"path":"permissions.post","code":"unknown_model","message":"post is not a model","params":{"name":"post"}}]` {
		t.Fatalf("got %s, %v", out, err)
	}
	out, err = validateRole(`{"permissions":{"post":{"get":{"fields":["id"]}}}}`, `[{"name":"post","fields":[]}]`)
	if err != nil || out != "[]" {
		t.Fatalf("got %s, %v", out, err)
	}
}

func TestCallRecoversPanics(t *testing.T) {
	exports["panics"] = export{nil, func([]string) (string, error) { panic("boom") }}
	defer delete(exports, "panics")
	_, err := call("panics", nil)
	if err == nil || err.Error() != "forma.panics: internal error: boom" {
		t.Fatalf("got %v", err)
	}
}

func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// BenchmarkValidateRecord is one validateRecord call on the design's event model, as the
// designer makes on every keystroke: decode the model and the record, compile, validate,
// encode the answer.
func BenchmarkValidateRecord(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "record_create_valid.json"))
	if err != nil {
		b.Fatal(err)
	}
	var c goldenCase
	if err := json.Unmarshal(data, &c); err != nil {
		b.Fatal(err)
	}
	model, rec := compact(c.Args[0]), compact(c.Args[1])
	for b.Loop() {
		if _, err := validateRecord(model, rec, "create"); err != nil {
			b.Fatal(err)
		}
	}
}
