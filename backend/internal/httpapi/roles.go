package httpapi

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/meta"
	"forma.dev/backend/internal/schemasync"
	"forma.dev/shared/access"
	"forma.dev/shared/problem"
)

// roleRoutes lists the routes of the tenant's custom roles (tenant admin). A role is
// part of the schema: each change of one is a schema version, in the history.
func (a *api) roleRoutes(admin *gin.RouterGroup) {
	admin.GET("/roles", a.listRoles)
	admin.GET("/roles/:role", a.getRole)
	admin.PUT("/roles/:role", a.putRole)
	admin.DELETE("/roles/:role", a.deleteRole)
}

// roleJSON is a custom role as the API shows it: its name, and its rules by field name.
type roleJSON struct {
	Name string `json:"name"`
	access.Role
}

// roleBody is the body of PUT /roles/:role: the role, and its name when sent (it must be
// the URL's), so that what GET answers may be sent back.
type roleBody struct {
	Name string `json:"name,omitempty"`
	access.Role
}

// listRoles lists the tenant's custom roles, by name, with the schema version.
func (a *api) listRoles(c *gin.Context) {
	st, err := a.Schema.Current(c.Request.Context(), schemaTenant(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	named := meta.Named(st.Roles, st.Models)
	out := make([]roleJSON, 0, len(named))
	for name, r := range named {
		out = append(out, roleJSON{Name: name, Role: r})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	c.Header("ETag", strconv.Quote(strconv.FormatInt(st.Version, 10)))
	c.JSON(http.StatusOK, gin.H{"data": out, "version": st.Version})
}

// getRole answers one custom role; its ETag is the schema version.
func (a *api) getRole(c *gin.Context) {
	name := c.Param("role")
	if err := checkRoleName(name); err != nil {
		a.fail(c, err)
		return
	}
	st, err := a.Schema.Current(c.Request.Context(), schemaTenant(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	r, ok := st.Roles[name]
	if !ok {
		a.fail(c, noRole(name))
		return
	}
	c.Header("ETag", strconv.Quote(strconv.FormatInt(st.Version, 10)))
	c.JSON(http.StatusOK, gin.H{"role": roleJSON{Name: name, Role: r.Named(st.Models)}, "version": st.Version})
}

// putRole creates (201) or replaces (200) the URL's custom role with the body's rules.
func (a *api) putRole(c *gin.Context) {
	name := c.Param("role")
	var body roleBody
	if err := bindJSON(c, &body); err != nil { // bindJSON refuses null, non-objects and unknown members
		a.fail(c, err)
		return
	}
	var problems problem.List
	if body.Name != "" && body.Name != name {
		problems.Add("name", problem.InvalidValue, map[string]any{"reason": fmt.Sprintf("the URL names role %q", name)})
	}
	if body.Permissions == nil {
		problems.Add("permissions", problem.Required, nil)
	}
	if len(problems) > 0 {
		a.fail(c, apperr.Validation("the role is not valid", problems))
		return
	}
	o, err := a.roleOptions(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	res, created, err := a.Schema.PutRole(c.Request.Context(), schemaTenant(c), name, body.Role, o)
	if err != nil {
		a.fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	answerChange(c, status, res, gin.H{"role": roleJSON{Name: name, Role: res.Roles[name].Named(res.Models)},
		"version": res.Version, "changed": res.Changed})
}

// deleteRole deletes the URL's custom role (204); a role that unrevoked keys hold is a 409.
func (a *api) deleteRole(c *gin.Context) {
	name := c.Param("role")
	if err := checkRoleName(name); err != nil {
		a.fail(c, err)
		return
	}
	o, err := a.roleOptions(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	res, err := a.Schema.DeleteRole(c.Request.Context(), schemaTenant(c), name, o)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("ETag", strconv.Quote(strconv.FormatInt(res.Version, 10)))
	c.Status(http.StatusNoContent)
}

// roleOptions are a role change's options: If-Match and the actor as for the models; no
// model quota, since a role change leaves the models as they are.
func (a *api) roleOptions(c *gin.Context) (schemasync.Options, error) {
	o, err := a.applyOptions(c, false)
	o.Quota = nil
	return o, err
}

// checkRoleName refuses a name no custom role may have (a built-in role's among them).
func checkRoleName(name string) error {
	if problems := access.CheckName(name); len(problems) > 0 {
		var list problem.List
		list.Append("name", problems)
		return apperr.Validation(fmt.Sprintf("%q is not the name of a custom role", name), list)
	}
	return nil
}

func noRole(name string) error {
	return apperr.New(apperr.NotFound, fmt.Sprintf("role %q does not exist", name))
}

// sortedKeys lists the names of m in order, so that problems come in a stable order.
func sortedKeys[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
