package httpapi

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/limits"
	"forma.dev/backend/internal/records"
	"forma.dev/shared/problem"
)

// exportTypes are the media types of the export formats.
var exportTypes = map[string]string{
	records.ExportNDJSON: "application/x-ndjson",
	records.ExportCSV:    "text/csv; charset=utf-8",
}

// exportRecords streams every record a list query selects, as NDJSON (the default) or
// CSV (format=), from one snapshot. It runs in the tenant's share of the database like
// the other data routes, but not within its statement timeout as one deadline: that
// bounds the wait for the first rows and for each chunk after them (records.Export),
// so a long export is not cut at statement_timeout_ms. A problem before the first byte
// is answered as a problem document; one after ends the response without its last
// chunk (http.ErrAbortHandler): the client sees the body broken off (curl exits 18,
// Go's client reads io.ErrUnexpectedEOF), never a well-ended partial file.
func (a *api) exportRecords(c *gin.Context) {
	minV, err := minVersion(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	q := c.Request.URL.Query()
	format := records.ExportNDJSON
	if fs, ok := q["format"]; ok {
		format = fs[0]
		if _, known := exportTypes[format]; !known || len(fs) > 1 {
			a.fail(c, apperr.Validation("the query is not valid", problem.List{problem.New("format", problem.Choice,
				map[string]any{"choices": []string{records.ExportCSV, records.ExportNDJSON}})}))
			return
		}
		delete(q, "format")
	}
	var chunkTimeout time.Duration
	if ms := a.limitsOf(c)[limits.StatementTimeoutMS]; ms > 0 {
		chunkTimeout = time.Duration(ms) * time.Millisecond
	}
	model := c.Param("model")
	began := false
	_, err = a.Records.Export(c.Request.Context(), schemaTenant(c), callerOf(c), model, q, minV, records.ExportOptions{
		Format:       format,
		ChunkTimeout: chunkTimeout,
		Begin: func(version int64) (io.Writer, func()) {
			began = true
			h := c.Writer.Header()
			h.Set("Content-Type", exportTypes[format])
			// model is the name of a model found: [a-z][a-z0-9_]*, nothing to escape.
			h.Set("Content-Disposition", `attachment; filename="`+model+"."+format+`"`)
			h.Set(SchemaVersionHeader, strconv.FormatInt(version, 10))
			h.Set("Cache-Control", "no-store")
			c.Status(http.StatusOK)
			c.Writer.WriteHeaderNow()
			return c.Writer, c.Writer.Flush
		},
	})
	if err != nil && began {
		a.log.WarnContext(c.Request.Context(), "export broken off", "err", err, "path", c.Request.URL.Path)
		panic(http.ErrAbortHandler)
	}
	if err != nil {
		a.fail(c, err)
	}
}
