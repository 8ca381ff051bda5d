package httpapi

import (
	"net/http"

	"forma.dev/backend/internal/apperr"
)

// statuses is the HTTP status of each error code.
var statuses = map[apperr.Code]int{
	apperr.Invalid:            http.StatusBadRequest,
	apperr.Unauthorized:       http.StatusUnauthorized,
	apperr.Forbidden:          http.StatusForbidden,
	apperr.NotFound:           http.StatusNotFound,
	apperr.Conflict:           http.StatusConflict,
	apperr.PreconditionFailed: http.StatusPreconditionFailed,
	apperr.TooLarge:           http.StatusRequestEntityTooLarge,
	apperr.RateLimited:        http.StatusTooManyRequests,
	apperr.QuotaExceeded:      http.StatusConflict,
	apperr.Unavailable:        http.StatusServiceUnavailable,
	apperr.Timeout:            http.StatusGatewayTimeout,
	apperr.Stalled:            http.StatusRequestTimeout,
	apperr.Internal:           http.StatusInternalServerError,

	apperr.TokensNotEnabled:    http.StatusUnauthorized,
	apperr.TokenMalformed:      http.StatusUnauthorized,
	apperr.TokenBadAlgorithm:   http.StatusUnauthorized,
	apperr.TokenBadSignature:   http.StatusUnauthorized,
	apperr.TokenUnknownKey:     http.StatusUnauthorized,
	apperr.TokenExpired:        http.StatusUnauthorized,
	apperr.TokenNotYetValid:    http.StatusUnauthorized,
	apperr.TokenWrongIssuer:    http.StatusUnauthorized,
	apperr.TokenWrongAudience:  http.StatusUnauthorized,
	apperr.TokenRoleNotAllowed: http.StatusForbidden,
}

// Status is the HTTP status of an error's code; an unknown code is a 500.
func Status(code apperr.Code) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}
