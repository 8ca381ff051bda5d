package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/limits"
	"forma.dev/backend/internal/meta"
	"forma.dev/backend/internal/schemasync"
	"forma.dev/shared/access"
	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// schemaRoutes lists the schema engine's routes (tenant admin): models, fields, the
// whole-schema snapshot, its history and drift.
func (a *api) schemaRoutes(admin *gin.RouterGroup) {
	admin.GET("/models", a.listModels)
	admin.GET("/models/:model", a.getModel)
	admin.PUT("/models/:model", a.putModel)
	admin.DELETE("/models/:model", a.deleteModel)
	admin.POST("/models/:model/plan", a.planModel)
	admin.POST("/models/:model/fields", a.addField)
	admin.PATCH("/models/:model/fields/:field", a.patchField)
	admin.DELETE("/models/:model/fields/:field", a.deleteField)
	admin.GET("/schema", a.getSchema)
	admin.POST("/schema/plan", a.planSchema)
	admin.PUT("/schema", a.putSchema)
	admin.GET("/schema/history", a.schemaHistory)
	admin.GET("/schema/drift", a.schemaDrift)
	a.roleRoutes(admin)
}

// applyOptions reads ?allow_data_loss=true and If-Match: "<version>", names the actor
// and holds the change to the tenant's models and fields_per_model quotas.
func (a *api) applyOptions(c *gin.Context, dryRun bool) (schemasync.Options, error) {
	o := schemasync.Options{DryRun: dryRun, Actor: "key:" + strconv.FormatInt(PrincipalOf(c).KeyID, 10)}
	eff := a.limitsOf(c)
	o.Quota = func(before, after []schema.Model) error { return limits.CheckSchema(eff, before, after) }
	switch v := c.Query("allow_data_loss"); v {
	case "", "false", "0":
	case "true", "1":
		o.AllowDataLoss = true
	default:
		return o, apperr.New(apperr.Invalid, "allow_data_loss must be true or false")
	}
	if m := strings.TrimSpace(c.GetHeader("If-Match")); m != "" && m != "*" {
		v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(m, "W/"), `"`), 10, 64)
		if err != nil {
			return o, apperr.New(apperr.PreconditionFailed, `If-Match must be a schema version, e.g. "3"`)
		}
		o.IfMatch = &v
	}
	return o, nil
}

// modelAnswer is the body of a change of one model: the model as it is after it, and
// the change's result without the other models and the schema's hash.
type modelAnswer struct {
	Model *schema.Model `json:"model,omitempty"`
	schemasync.Result
}

// answerChange writes a change's result (a *schemasync.Result or a modelAnswer) with
// the new version as ETag (not for dry runs, whose version is only the one the change
// would get).
func answerChange(c *gin.Context, status int, res *schemasync.Result, body any) {
	if !res.DryRun {
		c.Header("ETag", strconv.Quote(strconv.FormatInt(res.Version, 10)))
	}
	c.JSON(status, body)
}

// snapshotBody is a whole-schema snapshot, as GET /schema returns it (version and hash are ignored).
// Models is required, [] for none: a body without it must not drop every model. Roles,
// when sent, replace the tenant's custom roles ({} for none); without it they stay.
type snapshotBody struct {
	Models  []*schema.Model         `json:"models"`
	Roles   map[string]*access.Role `json:"roles,omitempty"`
	Version *int64                  `json:"version,omitempty"`
	Hash    string                  `json:"hash,omitempty"`
}

// snapshotAnswer is the answer of a whole-schema change: its result and the roles after it.
type snapshotAnswer struct {
	*schemasync.Result
	Roles map[string]access.Role `json:"roles"`
}

// getSchema exports all of the tenant's models with the version and hash.
func (a *api) getSchema(c *gin.Context) {
	st, err := a.Schema.Current(c.Request.Context(), schemaTenant(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("ETag", strconv.Quote(strconv.FormatInt(st.Version, 10)))
	c.JSON(http.StatusOK, gin.H{"models": st.Models, "roles": meta.Named(st.Roles, st.Models), "version": st.Version, "hash": st.Hash})
}

func (a *api) planSchema(c *gin.Context) { a.applySnapshot(c, true) }

func (a *api) putSchema(c *gin.Context) { a.applySnapshot(c, false) }

// applySnapshot makes the tenant's models exactly the body's (or plans it).
func (a *api) applySnapshot(c *gin.Context, dryRun bool) {
	var body snapshotBody
	if err := bindJSON(c, &body); err != nil { // bindJSON refuses null and non-objects
		a.fail(c, err)
		return
	}
	if problems := snapshotProblems(body.Models, body.Roles); len(problems) > 0 {
		a.fail(c, apperr.Validation("the definition is not valid", problems))
		return
	}
	o, err := a.applyOptions(c, dryRun)
	if err != nil {
		a.fail(c, err)
		return
	}
	models := make([]schema.Model, len(body.Models))
	for i, m := range body.Models {
		models[i] = *m
	}
	var roles map[string]access.Role
	if body.Roles != nil {
		roles = make(map[string]access.Role, len(body.Roles))
		for name, r := range body.Roles {
			roles[name] = *r
		}
	}
	res, err := a.Schema.ApplySnapshot(c.Request.Context(), schemaTenant(c), models, roles, o)
	if err != nil {
		a.fail(c, err)
		return
	}
	answerChange(c, http.StatusOK, res, snapshotAnswer{Result: res, Roles: meta.Named(res.Roles, res.Models)})
}

// snapshotProblems reports a snapshot whose models, or the fields of one, are missing or
// null (each is a list, [] for none), and a role that is null, lacks its permissions or
// has a name no custom role may have.
func snapshotProblems(models []*schema.Model, roles map[string]*access.Role) problem.List {
	var list problem.List
	if models == nil {
		list.Add("models", problem.Required, nil)
	}
	for i, m := range models {
		switch {
		case m == nil:
			list.Add(problem.Index("models", i), problem.Required, nil)
		case m.Fields == nil:
			list.Add(problem.Index("models", i)+".fields", problem.Required, nil)
		}
	}
	for _, name := range sortedKeys(roles) {
		list.Append("roles."+name, access.CheckName(name))
		switch r := roles[name]; {
		case r == nil:
			list.Add("roles."+name, problem.Required, nil)
		case r.Permissions == nil:
			list.Add("roles."+name+".permissions", problem.Required, nil)
		}
	}
	return list
}

// schemaHistory lists applied changes, newest first: ?limit= (default 50) and ?before=<version>.
func (a *api) schemaHistory(c *gin.Context) {
	limit, before := 50, int64(0)
	var err error
	if v := c.Query("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 1000 {
			a.fail(c, apperr.New(apperr.Invalid, "limit must be a whole number from 1 to 1000"))
			return
		}
	}
	if v := c.Query("before"); v != "" {
		if before, err = strconv.ParseInt(v, 10, 64); err != nil || before < 1 {
			a.fail(c, apperr.New(apperr.Invalid, "before must be a schema version"))
			return
		}
	}
	entries, err := a.Schema.History(c.Request.Context(), schemaTenant(c), before, limit)
	if err != nil {
		a.fail(c, err)
		return
	}
	out := gin.H{"data": entries}
	if len(entries) == limit {
		out["next_before"] = entries[len(entries)-1].Version
	}
	c.JSON(http.StatusOK, out)
}

// schemaDrift compares the live tables with the definitions.
func (a *api) schemaDrift(c *gin.Context) {
	rep, err := a.Schema.Drift(c.Request.Context(), schemaTenant(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}
