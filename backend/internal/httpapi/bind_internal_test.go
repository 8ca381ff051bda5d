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
