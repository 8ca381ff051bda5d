package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/tokens"
	"forma.dev/shared/problem"
)

// tokenRoutes are a tenant's end-user token settings (admin).
func (a *api) tokenRoutes(admin *gin.RouterGroup) {
	if a.Tokens == nil {
		return
	}
	admin.GET("/auth", a.getTokenSettings)
	admin.PUT("/auth", a.putTokenSettings)
	admin.DELETE("/auth", a.deleteTokenSettings)
	admin.POST("/auth/test", a.testToken)
}

// endUserToken authenticates a bearer shaped like a JWT (not a Forma key) as one of the
// route's tenant's users: the request goes on with the token's principal, or is answered
// with why the token was refused (a failed authentication for the limiter). It reports
// whether it handled the request; a bearer of another shape is left to the key path.
func (a *api) endUserToken(c *gin.Context) bool {
	token := bearer(c)
	if a.Tokens == nil || !tokens.LooksLikeJWT(token) {
		return false
	}
	if a.authBlocked(c) {
		return true
	}
	p, err := a.Tokens.Authenticate(c.Request.Context(), c.Param("tenant"), token)
	if signedButOutOfTime(err) {
		a.fail(c, err) // not counted: see signedButOutOfTime
		return true
	}
	if err != nil {
		a.authFailed(c, token, err)
		return true
	}
	c.Set(ctxPrincipal, p)
	c.Next()
	return true
}

// signedButOutOfTime reports a token refused as expired or not yet valid: Forma checks
// its times only once its signature has verified with the tenant's key, so it is the
// tenant's own token, presented too late or too early (an SPA that refreshes on 401),
// not a guess. Such failures do not count toward the failed-authentication limit: an
// office behind one address would otherwise lock itself out, API keys included. A bad
// signature, a malformed token or an unknown kid still counts.
func signedButOutOfTime(err error) bool {
	e := apperr.As(err)
	return e != nil && (e.Code == apperr.TokenExpired || e.Code == apperr.TokenNotYetValid)
}

// tokenSettingsJSON is the body of GET and PUT /auth; a nil JWT: tokens are off.
type tokenSettingsJSON struct {
	JWT *tokens.View `json:"jwt"`
}

func (a *api) getTokenSettings(c *gin.Context) {
	v, err := a.Tokens.Get(c.Request.Context(), TenantOf(c).ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, tokenSettingsJSON{JWT: v})
}

func (a *api) putTokenSettings(c *gin.Context) {
	var body struct {
		JWT *tokens.Input `json:"jwt"`
	}
	if err := bindJSON(c, &body); err != nil {
		a.fail(c, err)
		return
	}
	if body.JWT == nil {
		a.fail(c, apperr.Validation("the token settings are not valid", problem.List{problem.New("jwt", problem.Required, nil)}))
		return
	}
	v, err := a.Tokens.Put(c.Request.Context(), schemaTenant(c), *body.JWT)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, tokenSettingsJSON{JWT: v})
}

func (a *api) deleteTokenSettings(c *gin.Context) {
	if err := a.Tokens.Delete(c.Request.Context(), TenantOf(c).ID); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// tokenTestJSON is the answer of POST /auth/test: the verified role and claims, or the
// code and reason of the refusal as a request with the token would be answered.
type tokenTestJSON struct {
	Valid  bool           `json:"valid"`
	Role   string         `json:"role,omitempty"`
	Claims map[string]any `json:"claims,omitempty"`
	Code   string         `json:"code,omitempty"`
	Reason string         `json:"reason,omitempty"`
}

func (a *api) testToken(c *gin.Context) {
	var body struct {
		Token string `json:"token"`
	}
	if err := bindJSON(c, &body); err != nil {
		a.fail(c, err)
		return
	}
	if body.Token == "" {
		a.fail(c, apperr.Validation("a token is required", problem.List{problem.New("token", problem.Required, nil)}))
		return
	}
	role, claims, err := a.Tokens.Test(c.Request.Context(), TenantOf(c).Slug, body.Token)
	if e := apperr.As(err); e != nil && Status(e.Code) < http.StatusInternalServerError {
		c.JSON(http.StatusOK, tokenTestJSON{Code: string(e.Code), Reason: e.Detail})
		return
	} else if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, tokenTestJSON{Valid: true, Role: string(role), Claims: claims})
}
