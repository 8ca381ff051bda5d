package problem_test

import (
	"encoding/json"
	"errors"
	"testing"

	"forma.dev/shared/problem"
)

func TestWrongJSONTypeNamesTheMemberAndTheType(t *testing.T) {
	var v struct {
		Name  string   `json:"name"`
		Count int      `json:"count"`
		Ratio float64  `json:"ratio"`
		Tags  []string `json:"tags"`
		On    bool     `json:"on"`
	}
	for body, want := range map[string]problem.Problem{
		`{"name": 1}`:    {Path: "name", Params: map[string]any{"expected": "a string"}},
		`{"count": 1.5}`: {Path: "count", Params: map[string]any{"expected": "a whole number"}},
		`{"ratio": "x"}`: {Path: "ratio", Params: map[string]any{"expected": "a number"}},
		`{"tags": "x"}`:  {Path: "tags", Params: map[string]any{"expected": "an array"}},
		`{"on": "true"}`: {Path: "on", Params: map[string]any{"expected": "a boolean"}},
		`{"tags": [1]}`:  {Path: "tags", Params: map[string]any{"expected": "a string"}},
	} {
		var te *json.UnmarshalTypeError
		if err := json.Unmarshal([]byte(body), &v); !errors.As(err, &te) {
			t.Fatalf("%s: %v is not a type error", body, err)
		}
		got := problem.WrongJSONType(te)
		if got.Code != problem.InvalidType || got.Path != want.Path || got.Params["expected"] != want.Params["expected"] {
			t.Errorf("%s: %+v, want path %s expecting %v", body, got, want.Path, want.Params["expected"])
		}
	}
}
