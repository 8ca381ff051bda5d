// Package apperr is Forma's one error type and its handful of codes; httpapi maps each
// code to its HTTP status. Anything that is not an *Error is an internal error: logged
// in full for the operator, shown to the user as "internal error" and nothing more.
package apperr

import (
	"errors"
	"time"

	"forma.dev/shared/problem"
)

// Code is the kind of an error.
type Code string

// Error codes.
const (
	Invalid            Code = "invalid"             // the request is malformed or its values are wrong
	Unauthorized       Code = "unauthorized"        // no key, or a key that does not exist
	Forbidden          Code = "forbidden"           // the key exists but may not do this
	NotFound           Code = "not_found"           // the route, tenant, model or record does not exist
	Conflict           Code = "conflict"            // the request clashes with the current state (data loss, unique, rows in the way)
	PreconditionFailed Code = "precondition_failed" // If-Match did not match
	TooLarge           Code = "too_large"           // the body is larger than allowed
	RateLimited        Code = "rate_limited"        // too many requests; try again after Retry-After
	QuotaExceeded      Code = "quota_exceeded"      // the change would take the tenant over one of its quotas
	Unavailable        Code = "unavailable"         // a dependency is down; try again after Retry-After
	Timeout            Code = "timeout"             // the request's statements ran past the tenant's statement_timeout_ms
	Internal           Code = "internal"            // a bug or an unexpected failure
)

// Error is an error meant for the user.
type Error struct {
	Code   Code
	Detail string
	// Problems lists validation problems, shown as the problem document's "errors".
	Problems problem.List
	// Extra holds more members of the problem document, e.g. "plan".
	Extra map[string]any
	// Err is the cause, for logs only.
	Err error
	// RetryAfter, when positive, is sent as the Retry-After header (whole seconds, at
	// least 1): the request may succeed if sent again after it.
	RetryAfter time.Duration
}

// New returns an error with a code and a one-line detail for the user.
func New(code Code, detail string) *Error { return &Error{Code: code, Detail: detail} }

// Validation returns an Invalid error carrying the problems found.
func Validation(detail string, problems problem.List) *Error {
	return &Error{Code: Invalid, Detail: detail, Problems: problems}
}

// With returns e with an extra member of the problem document.
func (e *Error) With(key string, value any) *Error {
	if e.Extra == nil {
		e.Extra = map[string]any{}
	}
	e.Extra[key] = value
	return e
}

func (e *Error) Error() string {
	if e.Err != nil {
		return string(e.Code) + ": " + e.Detail + ": " + e.Err.Error()
	}
	return string(e.Code) + ": " + e.Detail
}

func (e *Error) Unwrap() error { return e.Err }

// As returns err as an *Error, or nil when it is not one (an internal error).
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
