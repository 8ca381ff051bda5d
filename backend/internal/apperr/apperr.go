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
	Stalled            Code = "stalled"             // a streamed body stopped arriving while its rows were being written
	Internal           Code = "internal"            // a bug or an unexpected failure
)

// Why an end-user token (a JSON Web Token) was refused: each a 401, except a role the
// tenant does not let tokens act as (403).
const (
	TokensNotEnabled    Code = "tokens_not_enabled"     // the tenant accepts no tokens
	TokenMalformed      Code = "token_malformed"        // not a signed JWT with a JSON object of claims and an exp
	TokenBadAlgorithm   Code = "token_bad_algorithm"    // signed with another algorithm than the tenant's key (alg none among them)
	TokenBadSignature   Code = "token_bad_signature"    // the signature does not verify with the tenant's key
	TokenUnknownKey     Code = "token_unknown_key"      // its kid names no key of the tenant's key set
	TokenExpired        Code = "token_expired"          // past exp (with the skew)
	TokenNotYetValid    Code = "token_not_yet_valid"    // before nbf, or iat in the future (with the skew)
	TokenWrongIssuer    Code = "token_wrong_issuer"     // iss is not the tenant's issuer
	TokenWrongAudience  Code = "token_wrong_audience"   // aud does not name the tenant's audience
	TokenRoleNotAllowed Code = "token_role_not_allowed" // the role is neither a custom role of the tenant nor an allowed built-in one
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
