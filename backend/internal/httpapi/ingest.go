package httpapi

import (
	"bufio"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/limits"
	"forma.dev/backend/internal/records"
)

// Streamed creates: POST /data/{model} with an NDJSON or CSV body writes its rows as
// they are read (records.Import), however many, all or nothing, and answers 201
// {"created": N}. The body has its own size limit (ImportMaxBytes), its rows their own
// bound (ImportMaxRows), and the tenant's statement timeout bounds each chunk of rows,
// not the whole import (boundStatements leaves it out). See docs/ingest.md.

// DefaultImportMaxBytes and DefaultImportMaxRows are the bounds of a streamed create
// unless Deps says otherwise.
const (
	DefaultImportMaxBytes = 1 << 30
	DefaultImportMaxRows  = 1_000_000
)

// importBuffer is how much of a streamed body is read at a time.
const importBuffer = 64 << 10

// The media types of streamed creates, by the format they carry.
var importTypes = map[string]string{
	"application/x-ndjson": records.ExportNDJSON,
	"application/ndjson":   records.ExportNDJSON,
	"text/csv":             records.ExportCSV,
}

// dataRoute is the route of creates (and lists).
const dataRoute = "/api/v1/t/:tenant/data/:model"

// importFormat is the format of a streamed create: records.ExportNDJSON or
// records.ExportCSV; "" for any other request.
func importFormat(c *gin.Context) string {
	if c.Request.Method != http.MethodPost || c.FullPath() != dataRoute {
		return ""
	}
	return importTypes[strings.ToLower(c.ContentType())] // media types are case-insensitive
}

// bodyLimit is the largest body the request may send: ImportMaxBytes for a streamed
// create, MaxBodyBytes for any other.
func (a *api) bodyLimit(c *gin.Context) int64 {
	if importFormat(c) != "" {
		return a.ImportMaxBytes
	}
	return a.MaxBodyBytes
}

// importRecords writes the rows of an NDJSON or CSV body.
func (a *api) importRecords(c *gin.Context, format string) {
	minV, err := minVersion(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	// Refused at once when the model is full already; counted again before the commit.
	done, err := a.admitRows(c, 1)
	if err != nil {
		a.fail(c, err)
		return
	}
	done(false)
	body := bufio.NewReaderSize(c.Request.Body, importBuffer)
	var rows records.ImportRows
	if format == records.ExportCSV {
		rows = newCSVRows(body, int(a.MaxBodyBytes))
	} else {
		rows = newNDJSONRows(body, int(a.MaxBodyBytes))
	}
	var chunkTimeout time.Duration
	if ms := a.limitsOf(c)[limits.StatementTimeoutMS]; ms > 0 {
		chunkTimeout = time.Duration(ms) * time.Millisecond
	}
	res, err := a.Records.Import(c.Request.Context(), schemaTenant(c), callerOf(c), c.Param("model"), rows, minV, records.ImportOptions{
		MaxRows:      max(a.ImportMaxRows, 0),
		ChunkTimeout: chunkTimeout,
		Admit:        func(n int64) (func(bool), error) { return a.admitRows(c, int(n)) },
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header(SchemaVersionHeader, strconv.FormatInt(res.Version, 10))
	writeJSON(c, http.StatusCreated, func(b []byte) []byte {
		b = append(b, `{"created":`...)
		return append(strconv.AppendInt(b, int64(res.Created), 10), '}')
	})
}

// bodyError is an error reading a streamed body, as the user error it is.
func bodyError(err error) error {
	var maxBytes *http.MaxBytesError
	switch {
	case errors.As(err, &maxBytes):
		return &apperr.Error{Code: apperr.TooLarge, Err: err,
			Detail: fmt.Sprintf("the body is larger than %d bytes (FORMA_IMPORT_MAX_BYTES); nothing was written", maxBytes.Limit)}
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &apperr.Error{Code: apperr.Invalid, Detail: "the body did not arrive in time; nothing was written", Err: err}
	}
	return &apperr.Error{Code: apperr.Invalid, Detail: "the body could not be read to its end; nothing was written", Err: err}
}
