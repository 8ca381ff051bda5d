package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/limits"
	"forma.dev/backend/internal/records"
	"forma.dev/shared/record"
)

// SchemaVersionHeader carries the schema version a record answer was served with; a
// request that sends it asks for at least that version (read-your-writes across replicas).
const SchemaVersionHeader = "Forma-Schema-Version"

func (a *api) recordRoutes(read, write *gin.RouterGroup) {
	read.GET("/data/:model", a.listRecords)
	read.GET("/data/:model/:id", a.getRecord)
	write.POST("/data/:model", a.createRecords)
	write.PUT("/data/:model/:id", a.updateRecord(record.Replace))
	write.PATCH("/data/:model/:id", a.updateRecord(record.Patch))
	write.DELETE("/data/:model/:id", a.deleteRecord)
	a.aggregateRoutes(read) // aggregate.go
}

// callerOf is who a record request acts for: a built-in role (its route admitted it), or
// a custom role with its $auth variables, whose rules records applies.
func callerOf(c *gin.Context) records.Caller {
	p := PrincipalOf(c)
	if p.Role.BuiltIn() {
		return records.Caller{}
	}
	return records.Caller{Role: string(p.Role), Vars: p.Vars()}
}

// minVersion reads the Forma-Schema-Version request header (0 when absent).
func minVersion(c *gin.Context) (int64, error) {
	h := c.GetHeader(SchemaVersionHeader)
	if h == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(h, 10, 64)
	if err != nil || v < 0 {
		return 0, apperr.New(apperr.Invalid, SchemaVersionHeader+" must be a schema version number")
	}
	return v, nil
}

func recordID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, apperr.New(apperr.NotFound, "no "+c.Param("model")+" record has this id")
	}
	return id, nil
}

// ifMatch reads If-Match for a record write: absent or "*" means unconditional.
func ifMatch(c *gin.Context) (*int64, error) {
	h := strings.TrimSpace(c.GetHeader("If-Match"))
	if h == "" || h == "*" {
		return nil, nil
	}
	v, ok := records.ParseETag(h)
	if !ok {
		return nil, apperr.New(apperr.PreconditionFailed, "If-Match must be an ETag this API returned")
	}
	return &v, nil
}

func answerRecord(c *gin.Context, status int, res *records.Result) {
	c.Header(SchemaVersionHeader, strconv.FormatInt(res.Version, 10))
	rec := res.Records[0]
	if tag := rec.ETag(); tag != "" {
		c.Header("ETag", tag)
	}
	writeJSON(c, status, rec.AppendJSON)
}

func (a *api) listRecords(c *gin.Context) {
	minV, err := minVersion(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	res, err := a.Records.List(c.Request.Context(), schemaTenant(c), callerOf(c), c.Param("model"), c.Request.URL.Query(), minV)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header(SchemaVersionHeader, strconv.FormatInt(res.Version, 10))
	writeJSON(c, http.StatusOK, res.Page.AppendJSON)
}

func (a *api) getRecord(c *gin.Context) {
	id, err := recordID(c)
	minV, err2 := minVersion(c)
	if err = firstErr(err, err2); err != nil {
		a.fail(c, err)
		return
	}
	res, err := a.Records.Get(c.Request.Context(), schemaTenant(c), callerOf(c), c.Param("model"), id, strings.Join(c.QueryArray("expand"), ","), minV)
	if err != nil {
		a.fail(c, err)
		return
	}
	answerRecord(c, http.StatusOK, res)
}

// createRecords takes one object (201 with the record) or an array (201 with all of
// them, written all or nothing; with Prefer: return=minimal, 201 {"created": N}); an
// NDJSON or CSV body is streamed (ingest.go).
func (a *api) createRecords(c *gin.Context) {
	if format := importFormat(c); format != "" {
		a.importRecords(c, format)
		return
	}
	minV, err := minVersion(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	body, err := decodeJSON(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	var bodies []map[string]any
	switch v := body.(type) {
	case map[string]any:
		bodies = []map[string]any{v}
	case []any:
		for i, item := range v {
			obj, ok := item.(map[string]any)
			if !ok {
				a.fail(c, apperr.New(apperr.Invalid, "item "+strconv.Itoa(i)+" of the array is not a JSON object"))
				return
			}
			bodies = append(bodies, obj)
		}
	default:
		a.fail(c, apperr.New(apperr.Invalid, "the body must be a JSON object or an array of objects"))
		return
	}
	if max := a.limitsOf(c)[limits.BulkRows]; max > 0 && max < records.MaxBulk && int64(len(bodies)) > max {
		a.fail(c, limits.Exceeded(limits.BulkRows, max, fmt.Sprintf(
			"a bulk write of this tenant holds at most %d records, not %d (bulk_rows)", max, len(bodies))))
		return
	}
	created, err := a.admitRows(c, len(bodies))
	if err != nil {
		a.fail(c, err)
		return
	}
	_, bulk := body.([]any)
	minimal := bulk && preferMinimal(c.Request.Header.Values("Prefer"))
	res, err := a.Records.CreateWith(c.Request.Context(), schemaTenant(c), callerOf(c), c.Param("model"), bodies, minV,
		records.CreateOptions{Minimal: minimal})
	created(err == nil)
	if err != nil {
		a.fail(c, err)
		return
	}
	if minimal {
		c.Header(SchemaVersionHeader, strconv.FormatInt(res.Version, 10))
		c.Header("Preference-Applied", "return=minimal")
		writeJSON(c, http.StatusCreated, func(b []byte) []byte {
			b = append(b, `{"created":`...)
			return append(strconv.AppendInt(b, int64(res.Created), 10), '}')
		})
		return
	}
	if bulk {
		c.Header(SchemaVersionHeader, strconv.FormatInt(res.Version, 10))
		writeJSON(c, http.StatusCreated, func(b []byte) []byte {
			b = append(b, `{"data":`...)
			return append(records.AppendList(b, res.Records), '}')
		})
		return
	}
	answerRecord(c, http.StatusCreated, res)
}

func (a *api) updateRecord(mode record.Mode) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, minV, match, err := writeTarget(c)
		if err != nil {
			a.fail(c, err)
			return
		}
		obj, err := decodeObject(c, "")
		if err != nil {
			a.fail(c, err)
			return
		}
		res, err := a.Records.Update(c.Request.Context(), schemaTenant(c), callerOf(c), c.Param("model"), id, obj, mode, match, minV)
		if err != nil {
			a.fail(c, err)
			return
		}
		answerRecord(c, http.StatusOK, res)
	}
}

func (a *api) deleteRecord(c *gin.Context) {
	id, minV, match, err := writeTarget(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	res, err := a.Records.Delete(c.Request.Context(), schemaTenant(c), callerOf(c), c.Param("model"), id, match, minV)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.rowsDeleted(c)
	c.Header(SchemaVersionHeader, strconv.FormatInt(res.Version, 10))
	c.Status(http.StatusNoContent)
}

// writeTarget reads what every single-record write needs: the id, the minimum schema
// version and the If-Match condition.
func writeTarget(c *gin.Context) (id, minV int64, match *int64, err error) {
	id, err = recordID(c)
	minV, err2 := minVersion(c)
	match, err3 := ifMatch(c)
	return id, minV, match, firstErr(err, err2, err3)
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// preferMinimal reports whether the Prefer headers (RFC 7240) ask for return=minimal:
// preferences are separated by commas, each a token, an optional =value (maybe quoted)
// and parameters after semicolons; names are case-insensitive.
func preferMinimal(headers []string) bool {
	for _, h := range headers {
		for _, pref := range strings.Split(h, ",") {
			pref, _, _ = strings.Cut(pref, ";")
			name, val, _ := strings.Cut(pref, "=")
			if strings.EqualFold(strings.TrimSpace(name), "return") && strings.Trim(strings.TrimSpace(val), `"`) == "minimal" {
				return true
			}
		}
	}
	return false
}
