package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"forma.dev/backend/internal/meta"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/access"
	"forma.dev/shared/schema"
)

// snapshot is what Redis keeps per (tenant, version): the models and the custom roles
// (at most access.MaxRoles), as JSON.
type snapshot struct {
	Tenant  int64                     `json:"tenant"`
	Version int64                     `json:"version"`
	Models  []schema.Model            `json:"models"`
	Roles   map[string]*access.Stored `json:"roles,omitempty"`
}

// notice is the message published on the channel after each commit.
type notice struct {
	Tenant  int64 `json:"tenant"`
	Version int64 `json:"version"`
}

// shareScript stores the snapshot KEYS[2], raises the version hint KEYS[1] to ARGV[1] if
// lower, and publishes ARGV[5] on ARGV[4] when forced (ARGV[6] == "1") or when it raised
// an existing hint. It returns 1 when it raised the hint, else 0.
var shareScript = redis.NewScript(`
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
local cur = redis.call('GET', KEYS[1])
local raised = 0
if not cur or tonumber(cur) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
  raised = 1
end
if ARGV[6] == '1' or (raised == 1 and cur) then
  redis.call('PUBLISH', ARGV[4], ARGV[5])
end
return raised`)

// fromRedis loads the set of version want from its snapshot; nil, nil when Redis does
// not have it.
func (r *Registry) fromRedis(ctx context.Context, t tenantref.Ref, want int64) (*Set, error) {
	raw, err := r.rdb.Get(ctx, r.snapKey(t.ID, want)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("registry: redis read: %w", err)
	}
	// The roles are decoded apart, numbers as json.Number (meta.DecodeRoles), as
	// Postgres's are; the models as meta.Load decodes them.
	var snap struct {
		snapshot
		Roles json.RawMessage `json:"roles,omitempty"`
	}
	err = json.Unmarshal([]byte(raw), &snap)
	var roles map[string]*access.Stored
	if err == nil && len(snap.Roles) > 0 {
		err = meta.DecodeRoles(snap.Roles, &roles)
	}
	if err != nil || snap.Tenant != t.ID {
		return nil, fmt.Errorf("registry: redis snapshot of tenant %d is corrupt: %v", t.ID, err)
	}
	return compile(t, snap.Version, snap.Models, roles)
}

// share writes the snapshot and raises the version hint; publish forces the notice out.
func (r *Registry) share(ctx context.Context, tenant, v int64, models []schema.Model, roles map[string]*access.Stored, publish bool) error {
	snap, err := json.Marshal(snapshot{Tenant: tenant, Version: v, Models: models, Roles: roles})
	if err != nil {
		return err
	}
	msg, _ := json.Marshal(notice{Tenant: tenant, Version: v})
	force := "0"
	if publish {
		force = "1"
	}
	err = shareScript.Run(ctx, r.rdb, []string{r.versionKey(tenant), r.snapKey(tenant, v)},
		v, snap, r.ttl.Milliseconds(), r.channel(), msg, force).Err()
	if err != nil {
		return fmt.Errorf("registry: redis write: %w", err)
	}
	return nil
}

// redisUsable reports whether reads should try Redis: configured and subscribed (while
// the subscription is down, hints may be stale and every call would wait on a timeout).
func (r *Registry) redisUsable() bool { return r.bus != nil && r.bus.Live() }

// redisFailed counts and logs a Redis error.
func (r *Registry) redisFailed(err error) {
	r.stats.redisErrors.Add(1)
	r.lastErr.Store(err.Error())
	r.log.Warn("registry: redis", "err", err)
}
