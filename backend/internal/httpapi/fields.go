package httpapi

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/schemasync"
	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// addField adds one field (the body) to the URL's model, like saving a new MetaField row.
func (a *api) addField(c *gin.Context) {
	var f schema.Field
	if err := bindJSON(c, &f); err != nil { // bindJSON refuses null and non-objects
		a.fail(c, err)
		return
	}
	a.changeModel(c, false, http.StatusCreated, func(e *schemasync.Engine, o schemasync.Options) (*schemasync.Result, error) {
		return e.AddField(c.Request.Context(), schemaTenant(c), c.Param("model"), f, o)
	})
}

// patchField changes one field with a JSON merge patch (RFC 7396) of its definition.
func (a *api) patchField(c *gin.Context) {
	patch, err := decodeObject(c, "the members of the field to change")
	if err != nil {
		a.fail(c, err)
		return
	}
	a.changeField(c, func(m schema.Model, name string) (schema.Model, problem.List) {
		return schema.PatchField(m, name, patch)
	})
}

// deleteField drops one field and the unique_together groups and indexes that name it
// (schema.DropField).
func (a *api) deleteField(c *gin.Context) {
	a.changeField(c, schema.DropField)
}

// changeField applies edit to the URL's field inside the engine's transaction.
func (a *api) changeField(c *gin.Context, edit func(m schema.Model, name string) (schema.Model, problem.List)) {
	a.changeModel(c, false, http.StatusOK, func(e *schemasync.Engine, o schemasync.Options) (*schemasync.Result, error) {
		return e.UpdateModel(c.Request.Context(), schemaTenant(c), c.Param("model"), func(m *schema.Model) error {
			next, problems := edit(*m, c.Param("field"))
			if err := editError(m.Name, c.Param("field"), problems); err != nil {
				return err
			}
			*m = next
			return nil
		}, o)
	})
}

// editError answers the problems of a field's edit: a field that is not there is a 404,
// anything else a 400 naming the member at fault.
func editError(model, field string, problems problem.List) error {
	switch {
	case len(problems) == 0:
		return nil
	case problems[0].Code == problem.UnknownField && problems[0].Path == "":
		return apperr.New(apperr.NotFound, fmt.Sprintf("model %q has no field %q", model, field))
	}
	return apperr.Validation("the change of the field is not valid", problems)
}
