package openapi_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden compares the document of the design's event model with testdata/event.json
// (indented for review); go test -update rewrites it.
func TestGolden(t *testing.T) {
	var got bytes.Buffer
	if err := json.Indent(&got, generate(t, eventModels()), "", "  "); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "event.json")
	if *update {
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("the document differs from %s; run go test -update and review the diff", path)
	}
}

// TestDeterministic generates the same bytes whatever the order of the models, every time.
func TestDeterministic(t *testing.T) {
	want := generate(t, everyType())
	for i := range 20 {
		models := everyType()
		if i%2 == 1 {
			slices.Reverse(models)
		}
		if got := generate(t, models); !bytes.Equal(got, want) {
			t.Fatalf("run %d: the document changed", i)
		}
	}
}
