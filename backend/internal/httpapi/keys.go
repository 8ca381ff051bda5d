package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/auth"
)

// keyJSON is a key as the API shows it; Key (the secret) only once, at creation.
type keyJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Role       auth.Role  `json:"role"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	Key        string     `json:"key,omitempty"`
}

func newKeyJSON(k auth.Key, plain string) keyJSON {
	return keyJSON{ID: k.ID, Name: k.Name, Role: k.Role, Prefix: k.Prefix(),
		CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt, Key: plain}
}

// createKeyBody is the body of POST /api/v1/t/:tenant/keys.
type createKeyBody struct {
	Name string    `json:"name"`
	Role auth.Role `json:"role"`
}

// createKey makes a key of the tenant and shows it once.
func (a *api) createKey(c *gin.Context) {
	var body createKeyBody
	if err := bindJSON(c, &body); err != nil {
		a.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	k, plain, err := a.Keys.Create(ctx, TenantOf(c).ID, body.Name, body.Role)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, newKeyJSON(k, plain))
}

// listKeys lists the tenant's keys, without secrets.
func (a *api) listKeys(c *gin.Context) {
	keys, err := a.Keys.List(c.Request.Context(), TenantOf(c).ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	out := make([]keyJSON, len(keys))
	for i, k := range keys {
		out[i] = newKeyJSON(k, "")
	}
	c.JSON(http.StatusOK, gin.H{"data": out})
}

// revokeKey revokes one of the tenant's keys.
func (a *api) revokeKey(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		a.fail(c, apperr.New(apperr.NotFound, "no such key"))
		return
	}
	if err := a.Keys.Revoke(c.Request.Context(), TenantOf(c).ID, id); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
