package httpapi

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/webhooks"
)

// webhookRoutes serves the tenant's webhook subscriptions and their deliveries (admin).
func (a *api) webhookRoutes(admin *gin.RouterGroup) {
	if a.Webhooks == nil {
		return
	}
	admin.POST("/webhooks", a.createWebhook)
	admin.GET("/webhooks", a.listWebhooks)
	admin.GET("/webhooks/:id", a.getWebhook)
	admin.PATCH("/webhooks/:id", a.updateWebhook)
	admin.DELETE("/webhooks/:id", a.deleteWebhook)
	admin.POST("/webhooks/:id/rotate", a.rotateWebhook)
	admin.GET("/webhooks/:id/deliveries", a.listDeliveries)
	admin.POST("/webhooks/:id/deliveries/:delivery/redeliver", a.redeliver)
}

// pathID reads a positive integer path parameter; anything else is a 404 of what.
func pathID(c *gin.Context, name, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id < 1 {
		return 0, apperr.New(apperr.NotFound, "no such "+what)
	}
	return id, nil
}

// createWebhook subscribes an endpoint; the answer shows its secret, once.
func (a *api) createWebhook(c *gin.Context) {
	var in webhooks.Input
	if err := bindJSON(c, &in); err != nil {
		a.fail(c, err)
		return
	}
	sub, err := a.Webhooks.Create(c.Request.Context(), TenantOf(c).ID, in)
	a.answer(c, http.StatusCreated, sub, err)
}

func (a *api) listWebhooks(c *gin.Context) {
	subs, err := a.Webhooks.List(c.Request.Context(), TenantOf(c).ID)
	a.answer(c, http.StatusOK, gin.H{"data": subs}, err)
}

func (a *api) getWebhook(c *gin.Context) {
	a.withWebhook(c, func(id int64) (any, error) {
		return a.Webhooks.Get(c.Request.Context(), TenantOf(c).ID, id)
	})
}

// updateWebhook changes the members the body sets (url, description, events, models,
// enabled); enabling a disabled endpoint clears its failure streak.
func (a *api) updateWebhook(c *gin.Context) {
	a.withWebhook(c, func(id int64) (any, error) {
		var in webhooks.Input
		if err := bindJSON(c, &in); err != nil {
			return nil, err
		}
		return a.Webhooks.Update(c.Request.Context(), TenantOf(c).ID, id, in)
	})
}

func (a *api) deleteWebhook(c *gin.Context) {
	id, err := pathID(c, "id", "webhook")
	if err == nil {
		err = a.Webhooks.Delete(c.Request.Context(), TenantOf(c).ID, id)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// rotateWebhook issues a new secret, shown once; the old one signs too for 24 hours.
func (a *api) rotateWebhook(c *gin.Context) {
	a.withWebhook(c, func(id int64) (any, error) {
		return a.Webhooks.Rotate(c.Request.Context(), TenantOf(c).ID, id)
	})
}

// listDeliveries pages a webhook's deliveries newest first: ?limit (default 20, at most
// 100) and ?cursor (the next_cursor of the previous page).
func (a *api) listDeliveries(c *gin.Context) {
	a.withWebhook(c, func(id int64) (any, error) {
		limit, before := 20, int64(0)
		var err error
		if v := c.Query("limit"); v != "" {
			if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 100 {
				return nil, apperr.New(apperr.Invalid, "limit must be a number from 1 to 100")
			}
		}
		if v := c.Query("cursor"); v != "" {
			if before, err = strconv.ParseInt(v, 10, 64); err != nil || before < 1 {
				return nil, apperr.New(apperr.Invalid, "cursor must be a next_cursor this API returned")
			}
		}
		ds, next, err := a.Webhooks.Deliveries(c.Request.Context(), TenantOf(c).ID, id, before, limit)
		page := gin.H{"data": ds, "next_cursor": nil}
		if next > 0 {
			page["next_cursor"] = strconv.FormatInt(next, 10)
		}
		return page, err
	})
}

// redeliver queues a delivery's event again to its endpoint (202 with the new delivery).
func (a *api) redeliver(c *gin.Context) {
	id, err := pathID(c, "id", "webhook")
	delivery, err2 := pathID(c, "delivery", "delivery")
	if err = firstErr(err, err2); err != nil {
		a.fail(c, err)
		return
	}
	d, err := a.Webhooks.Redeliver(c.Request.Context(), TenantOf(c).ID, id, delivery)
	a.answer(c, http.StatusAccepted, d, err)
}

// withWebhook runs fn with the :id of the path and answers 200 with what it returns.
func (a *api) withWebhook(c *gin.Context, fn func(id int64) (any, error)) {
	id, err := pathID(c, "id", "webhook")
	if err != nil {
		a.fail(c, err)
		return
	}
	v, err := fn(id)
	a.answer(c, http.StatusOK, v, err)
}

// answer writes v with status, or the error.
func (a *api) answer(c *gin.Context, status int, v any, err error) {
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(status, v)
}
