package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/schemasync"
	"forma.dev/shared/schema"
)

// addField adds one field (the body) to the URL's model, like saving a new MetaField row.
func (a *api) addField(c *gin.Context) {
	var f *schema.Field
	if err := bindJSON(c, &f); err != nil {
		a.fail(c, err)
		return
	}
	if f == nil {
		a.fail(c, apperr.New(apperr.Invalid, "the body must be a JSON object: the field"))
		return
	}
	a.changeModel(c, false, http.StatusCreated, func(e *schemasync.Engine, o schemasync.Options) (*schemasync.Result, error) {
		return e.AddField(c.Request.Context(), schemaTenant(c), c.Param("model"), *f, o)
	})
}

// patchField changes one field with a JSON merge patch (RFC 7396) of its definition.
func (a *api) patchField(c *gin.Context) {
	patch, err := decodeObject(c, "the members of the field to change")
	if err != nil {
		a.fail(c, err)
		return
	}
	a.changeField(c, http.StatusOK, func(m *schema.Model) error {
		f, err := fieldOf(m, c.Param("field"))
		if err != nil {
			return err
		}
		return mergeField(f, patch)
	})
}

// deleteField drops one field and the unique_together groups and indexes that name it,
// as Postgres drops an index with any of its columns.
func (a *api) deleteField(c *gin.Context) {
	a.changeField(c, http.StatusOK, func(m *schema.Model) error {
		f, err := fieldOf(m, c.Param("field"))
		if err != nil {
			return err
		}
		name := f.Name
		m.Fields = slices.DeleteFunc(m.Fields, func(x schema.Field) bool { return x.Name == name })
		m.UniqueTogether = slices.DeleteFunc(m.UniqueTogether, func(g []string) bool { return slices.Contains(g, name) })
		m.Indexes = slices.DeleteFunc(m.Indexes, func(ix []string) bool {
			return slices.ContainsFunc(ix, func(col string) bool { n, _ := schema.IndexColumn(col); return n == name })
		})
		return nil
	})
}

// changeField applies fn to the URL's model inside the engine's transaction.
func (a *api) changeField(c *gin.Context, status int, fn func(m *schema.Model) error) {
	a.changeModel(c, false, status, func(e *schemasync.Engine, o schemasync.Options) (*schemasync.Result, error) {
		return e.UpdateModel(c.Request.Context(), schemaTenant(c), c.Param("model"), fn, o)
	})
}

// fieldOf returns the field of m named name, or a NotFound.
func fieldOf(m *schema.Model, name string) (*schema.Field, error) {
	f, ok := m.Field(name)
	if !ok {
		return nil, apperr.New(apperr.NotFound, fmt.Sprintf("model %q has no field %q", m.Name, name))
	}
	return f, nil
}

// mergeField applies a merge patch to f: members replace, null removes; the id stays.
func mergeField(f *schema.Field, patch map[string]any) error {
	raw, err := json.Marshal(f)
	if err != nil {
		return err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return err
	}
	if id, ok := patch["id"]; ok && id != f.ID {
		return apperr.New(apperr.Invalid, "a field's id cannot change")
	}
	for k, v := range patch {
		if v == nil {
			delete(doc, k)
		} else {
			doc[k] = v
		}
	}
	raw, _ = json.Marshal(doc)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var out schema.Field
	if err := dec.Decode(&out); err != nil {
		return jsonError(err)
	}
	out.ID = f.ID
	*f = out
	return nil
}
