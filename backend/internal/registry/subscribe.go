package registry

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"time"

	"github.com/redis/go-redis/v9"

	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/schema"
)

// Published records a committed change: the engine calls it after each commit with the
// tenant's new version and models. The local cache takes the new set at once; Redis gets
// the snapshot, the raised version hint and a notice on the channel so other replicas
// drop their stale entry. A Redis error is counted and returned for the log only: the
// change is committed, and other replicas see it within their window.
func (r *Registry) Published(ctx context.Context, t tenantref.Ref, version int64, models []schema.Model) error {
	r.invalidate(t.ID, version)
	s, err := compile(t, version, models)
	if err != nil {
		return err
	}
	r.store(s, r.seq.Load())
	if r.rdb == nil {
		return nil
	}
	if err := r.share(ctx, t.ID, version, models, true); err != nil {
		r.redisFailed(err)
		return err
	}
	return nil
}

// Start runs the subscriber until ctx ends or Close is called; without Redis it does nothing.
func (r *Registry) Start(ctx context.Context) {
	if r.rdb == nil || r.done != nil {
		return
	}
	ctx, r.stop = context.WithCancel(ctx)
	r.done = make(chan struct{})
	go r.subscribe(ctx)
}

// Close stops the subscriber and waits for it. It does not close the Redis client.
func (r *Registry) Close() {
	if r.done != nil {
		r.stop()
		<-r.done
	}
}

// subscribe listens on the channel. Every subscription confirmation (the first, and the
// one go-redis's reconnect brings) drops the whole cache: notices may have been lost.
func (r *Registry) subscribe(ctx context.Context) {
	defer close(r.done)
	ps := r.rdb.Subscribe(ctx, r.channel())
	stopped := make(chan struct{})
	defer func() { <-stopped }()
	go func() { // a blocked read does not watch ctx: closing unblocks it
		<-ctx.Done()
		_ = ps.Close()
		close(stopped)
	}()
	var backoff time.Duration // the first retry is at once: go-redis has reconnected already
	for {
		msg, err := ps.ReceiveTimeout(ctx, 15*time.Second)
		if ctx.Err() != nil {
			return
		}
		var nerr net.Error
		if err != nil && errors.As(err, &nerr) && nerr.Timeout() {
			err = ps.Ping(ctx) // quiet channel: make sure the connection still lives
		}
		if err != nil {
			if r.subbed.Swap(false) {
				r.log.Warn("registry: redis subscription lost; serving from Postgres", "err", err)
			}
			r.stats.redisErrors.Add(1)
			r.lastErr.Store(err.Error())
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(max(2*backoff, 50*time.Millisecond), 2*time.Second)
			continue
		}
		backoff = 0
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				r.dropAll()
				if !r.subbed.Swap(true) {
					r.log.Info("registry: redis subscribed", "channel", r.channel())
				}
			}
		case *redis.Message:
			var n notice
			if json.Unmarshal([]byte(m.Payload), &n) == nil {
				r.invalidate(n.Tenant, n.Version)
			}
		}
	}
}

// invalidate drops the tenant's entry when it is older than version.
func (r *Registry) invalidate(tenant, version int64) {
	r.seq.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.cache.get(tenant); ok && e.set.Version < version {
		r.cache.remove(tenant)
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
	n := r.cache.clear()
	r.mu.Unlock()
	r.stats.drops.Add(1)
	r.stats.invalidations.Add(uint64(n))
}
