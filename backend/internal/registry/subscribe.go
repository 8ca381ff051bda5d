package registry

import (
	"context"
	"encoding/json"

	"forma.dev/backend/internal/meta"
	"forma.dev/backend/internal/redisbus"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/access"
	"forma.dev/shared/schema"
)

// Published records a committed change: the engine calls it after each commit with the
// tenant's new version, models and custom roles. The local cache takes the new set at once; Redis gets
// the snapshot, the raised version hint and a notice on the channel so other replicas
// drop their stale entry. A Redis error is counted and returned for the log only: the
// change is committed, and other replicas see it within their window.
func (r *Registry) Published(ctx context.Context, t tenantref.Ref, version int64, models []schema.Model, roles map[string]*access.Stored) error {
	r.invalidate(t.ID, version)
	roles, err := asRead(roles)
	if err != nil {
		return err
	}
	s, err := compile(t, version, models, roles)
	if err != nil {
		return err
	}
	r.store(s, r.seq.Load())
	if r.rdb == nil {
		return nil
	}
	if err := r.share(ctx, t.ID, version, models, roles, true); err != nil {
		r.redisFailed(err)
		return err
	}
	return nil
}

// Start runs the sweep of versions (sweep.go) and, with Redis, the subscriber, until
// ctx ends or Close is called. Call it once.
func (r *Registry) Start(ctx context.Context) {
	ctx, r.stop = context.WithCancel(ctx)
	r.done = make(chan struct{})
	go func() {
		defer close(r.done)
		r.sweep(ctx)
	}()
	if r.bus != nil {
		r.bus.Start(ctx)
	}
}

// Close stops the sweep and the subscriber and waits for them. It does not close the
// Redis client.
func (r *Registry) Close() {
	if r.stop != nil {
		r.stop()
		<-r.done
	}
	if r.bus != nil {
		r.bus.Close()
	}
}

// listener is the subscriber of the channel. Every subscription confirmation (the first, and the
// one go-redis's reconnect brings) drops the whole cache: notices may have been lost.
func (r *Registry) listener() *redisbus.Listener {
	return redisbus.New(r.rdb, redisbus.Config{
		Channel: r.channel(), Logger: r.log, Name: "registry", WhileLost: "serving from Postgres",
		Subscribed: r.dropAll,
		Message: func(_ context.Context, payload string) {
			var n notice
			if json.Unmarshal([]byte(payload), &n) == nil {
				r.invalidate(n.Tenant, n.Version)
			}
		},
		Failed: func(err error) {
			r.stats.redisErrors.Add(1)
			r.lastErr.Store(err.Error())
		},
	})
}

// invalidate drops the tenant's entry when it is older than version.
func (r *Registry) invalidate(tenant, version int64) {
	r.seq.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.cache.Peek(tenant); ok && e.set.Version < version { // a notice is not a use
		r.cache.Remove(tenant)
		r.stats.invalidations.Add(1)
		if r.onDrop != nil {
			r.onDrop(tenant)
		}
	}
}

// dropAll empties the cache.
func (r *Registry) dropAll() {
	r.seq.Add(1)
	r.mu.Lock()
	n := r.cache.Clear()
	r.mu.Unlock()
	r.stats.drops.Add(1)
	r.stats.invalidations.Add(uint64(n))
}

// asRead returns roles as Postgres and Redis give them back (decoded from their JSON), so
// that every replica's cache holds the same values whichever way a set reached it: a
// compiled role holds typed values (access.Variable) that its JSON reads back otherwise.
func asRead(roles map[string]*access.Stored) (map[string]*access.Stored, error) {
	if len(roles) == 0 {
		return roles, nil
	}
	raw, err := json.Marshal(roles)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*access.Stored, len(roles))
	return out, meta.DecodeRoles(raw, &out)
}
