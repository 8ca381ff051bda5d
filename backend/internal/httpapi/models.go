package httpapi

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/schemasync"
	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// listModels lists the tenant's models with the schema version.
func (a *api) listModels(c *gin.Context) {
	st, err := a.Schema.Current(c.Request.Context(), schemaTenant(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("ETag", strconv.Quote(strconv.FormatInt(st.Version, 10)))
	c.JSON(http.StatusOK, gin.H{"data": st.Models, "version": st.Version})
}

// getModel answers one model; its ETag is the schema version.
func (a *api) getModel(c *gin.Context) {
	st, err := a.Schema.Current(c.Request.Context(), schemaTenant(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	m, ok := st.Model(c.Param("model"))
	if !ok {
		a.fail(c, noModel(c.Param("model")))
		return
	}
	c.Header("ETag", strconv.Quote(strconv.FormatInt(st.Version, 10)))
	c.JSON(http.StatusOK, gin.H{"model": m, "version": st.Version})
}

func (a *api) putModel(c *gin.Context) { a.applyModel(c, false) }

func (a *api) planModel(c *gin.Context) { a.applyModel(c, true) }

// applyModel creates or replaces the URL's model with the body's definition (or plans it).
func (a *api) applyModel(c *gin.Context, dryRun bool) {
	var m schema.Model
	if err := bindJSON(c, &m); err != nil { // bindJSON refuses null and non-objects
		a.fail(c, err)
		return
	}
	name := c.Param("model")
	if m.Name == "" {
		m.Name = name
	}
	var problems problem.List
	if m.Name != name {
		problems.Add("name", problem.InvalidValue, map[string]any{"reason": fmt.Sprintf("the URL names model %q", name)})
	}
	if m.Fields == nil {
		problems.Add("fields", problem.Required, nil)
	}
	if len(problems) > 0 {
		a.fail(c, apperr.Validation("the definition is not valid", problems))
		return
	}
	a.changeModel(c, dryRun, http.StatusOK, func(e *schemasync.Engine, o schemasync.Options) (*schemasync.Result, error) {
		return e.PutModel(c.Request.Context(), schemaTenant(c), m, o)
	})
}

// deleteModel drops the URL's model and its records (needs ?allow_data_loss=true).
func (a *api) deleteModel(c *gin.Context) {
	a.changeModel(c, false, http.StatusOK, func(e *schemasync.Engine, o schemasync.Options) (*schemasync.Result, error) {
		return e.DeleteModel(c.Request.Context(), schemaTenant(c), c.Param("model"), o)
	})
}

// changeModel runs one change of the URL's model and answers with the model as it is after it.
func (a *api) changeModel(c *gin.Context, dryRun bool, status int,
	run func(*schemasync.Engine, schemasync.Options) (*schemasync.Result, error)) {
	o, err := a.applyOptions(c, dryRun)
	if err != nil {
		a.fail(c, err)
		return
	}
	o.Focus = c.Param("model")
	res, err := run(a.Schema, o)
	if err != nil {
		a.fail(c, err)
		return
	}
	ans := modelAnswer{Result: *res}
	ans.Models, ans.Hash = nil, ""
	for i := range res.Models {
		if res.Models[i].Name == c.Param("model") {
			ans.Model = &res.Models[i]
		}
	}
	answerChange(c, status, res, ans)
}

func noModel(name string) error {
	return apperr.New(apperr.NotFound, fmt.Sprintf("model %q does not exist", name))
}
