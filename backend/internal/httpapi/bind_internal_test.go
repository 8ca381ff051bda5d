package httpapi

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
)

func init() { gin.SetMode(gin.ReleaseMode) } // as New does; keeps CreateTestContext quiet

func TestDecodeJSONKeepsEveryDigit(t *testing.T) {
	t.Parallel()
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest("POST", "/", strings.NewReader(`{"big": 12345678901234567890123, "dec": 0.10000000000000000001}`))
	v, err := decodeJSON(c)
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	if m["big"] != json.Number("12345678901234567890123") || m["dec"] != json.Number("0.10000000000000000001") {
		t.Fatalf("decoded %#v", m)
	}
}

func TestBindJSONErrors(t *testing.T) {
	t.Parallel()
	var dst struct {
		Name string `json:"name"`
		N    int    `json:"n"`
	}
	for body, code := range map[string]apperr.Code{
		``: apperr.Invalid, `{`: apperr.Invalid, `{"name": 1}`: apperr.Invalid, `{"n": "x"}`: apperr.Invalid,
		`{"other": 1}`: apperr.Invalid, `{} []`: apperr.Invalid, `null`: apperr.Invalid, `[]`: apperr.Invalid,
		`{"name":"a","n":2}`: "",
	} {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest("POST", "/", strings.NewReader(body))
		err := bindJSON(c, &dst)
		if got := apperr.As(err); (got == nil) != (code == "") || (got != nil && got.Code != code) {
			t.Errorf("bindJSON(%q) = %v, want code %q", body, err, code)
		}
	}
}

func TestDecodeObjectRefusesWhatIsNotAnObject(t *testing.T) {
	t.Parallel()
	for body, detail := range map[string]string{
		`null`: "the body must be a JSON object: the field", `[{"a": 1}]`: "the body must be a JSON object: the field",
		`3`: "the body must be a JSON object: the field", `{`: "malformed JSON: the body ends too early", `{"a": 1}`: "",
	} {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest("POST", "/", strings.NewReader(body))
		obj, err := decodeObject(c, "the field")
		got := apperr.As(err)
		switch {
		case detail == "" && (err != nil || obj["a"] != json.Number("1")):
			t.Errorf("decodeObject(%s) = %v, %v", body, obj, err)
		case detail != "" && (got == nil || got.Code != apperr.Invalid || got.Detail != detail):
			t.Errorf("decodeObject(%s) = %v, want a 400 %q", body, err, detail)
		}
	}
}
