package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/shared/problem"
)

// bindJSON decodes the body strictly into the fixed struct v: one JSON value, no
// members v does not declare, numbers kept exact, and what checkJSON refuses. Errors
// are user errors (400, 413).
func bindJSON(c *gin.Context, v any) error {
	dec, body, err := strictDecoder(c)
	if err != nil {
		return err
	}
	// A struct takes null (or nothing at all) as a request that sets nothing: refuse it,
	// as the caller surely meant something else.
	if b := bytes.TrimLeft(body, " \t\r\n"); len(b) > 0 && b[0] != '{' {
		return apperr.New(apperr.Invalid, "the body must be a JSON object")
	}
	dec.DisallowUnknownFields()
	return decodeOne(dec, v)
}

// decodeJSON decodes a body of any shape (records, definitions) with numbers as
// json.Number, so large integers and decimals keep every digit; what checkJSON refuses
// is refused.
func decodeJSON(c *gin.Context) (any, error) {
	dec, _, err := strictDecoder(c)
	if err != nil {
		return nil, err
	}
	var v any
	return v, decodeOne(dec, &v)
}

// decodeObject decodes a body that must be one JSON object of any members (a record, a
// merge patch), as decodeJSON does; what, when set, says in the error what the object is.
func decodeObject(c *gin.Context, what string) (map[string]any, error) {
	v, err := decodeJSON(c)
	if err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		detail := "the body must be a JSON object"
		if what != "" {
			detail += ": " + what
		}
		return nil, apperr.New(apperr.Invalid, detail)
	}
	return obj, nil
}

// strictDecoder reads the whole body, checks it with checkJSON, and returns it with a
// decoder of it that keeps numbers as json.Number.
func strictDecoder(c *gin.Context) (*json.Decoder, []byte, error) {
	var buf bytes.Buffer
	if n := c.Request.ContentLength; n > 0 {
		buf.Grow(int(min(n, DefaultMaxBodyBytes)) + bytes.MinRead) // MinRead: room to see EOF without growing
	}
	if c.Request.Body != nil {
		if _, err := buf.ReadFrom(c.Request.Body); err != nil {
			return nil, nil, jsonError(err)
		}
	}
	body := buf.Bytes()
	if f := checkJSON(body); f != nil {
		return nil, nil, f.err()
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	return dec, body, nil
}

// err is the fault as the user error it is.
func (f *jsonFault) err() error {
	if f.code == "depth" {
		return apperr.New(apperr.Invalid, f.detail)
	}
	params := map[string]any{"format": "UTF-8 text", "offset": f.offset}
	if f.code == problem.Duplicate {
		params = map[string]any{"name": f.name, "offset": f.offset}
	}
	return apperr.Validation(f.detail, problem.List{problem.New(f.path, f.code, params)})
}

func decodeOne(dec *json.Decoder, v any) error {
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	_, err := dec.Token()
	var maxBytes *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case errors.As(err, &maxBytes):
		return jsonError(err)
	}
	return apperr.New(apperr.Invalid, "the body must hold exactly one JSON value")
}

// jsonError turns a decoding error into a user error that says what is wrong.
func jsonError(err error) error {
	var (
		maxBytes  *http.MaxBytesError
		syntax    *json.SyntaxError
		typeError *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &maxBytes):
		return &apperr.Error{Code: apperr.TooLarge, Detail: fmt.Sprintf("the body is larger than %d bytes", maxBytes.Limit), Err: err}
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &apperr.Error{Code: apperr.Invalid, Detail: "the body did not arrive in time", Err: err}
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Invalid, "the body is empty; a JSON value is required")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Invalid, "malformed JSON: the body ends too early")
	case errors.As(err, &syntax):
		return apperr.New(apperr.Invalid, fmt.Sprintf("malformed JSON at byte %d: %s", syntax.Offset, err.Error()))
	case errors.As(err, &typeError):
		return apperr.Validation("the body has a value of the wrong type", problem.List{problem.WrongJSONType(typeError)})
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		p := problem.Problem{Path: name, Code: problem.NotAllowed, Message: "is not a member of this body",
			Params: map[string]any{"attribute": name}}
		return apperr.Validation("the body has an unknown member", problem.List{p})
	}
	return apperr.New(apperr.Invalid, "malformed JSON: "+err.Error())
}
