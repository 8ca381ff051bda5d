package httpapi_test

import (
	"testing"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/httpapi"
)

func TestStatusOfEachCode(t *testing.T) {
	t.Parallel()
	for code, want := range map[apperr.Code]int{
		apperr.Invalid: 400, apperr.Unauthorized: 401, apperr.Forbidden: 403, apperr.NotFound: 404,
		apperr.Conflict: 409, apperr.PreconditionFailed: 412, apperr.TooLarge: 413,
		apperr.RateLimited: 429, apperr.QuotaExceeded: 409, apperr.Unavailable: 503, apperr.Timeout: 504, apperr.Internal: 500, "no_such_code": 500,
	} {
		if got := httpapi.Status(code); got != want {
			t.Errorf("Status(%q) = %d, want %d", code, got, want)
		}
	}
}
