package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"forma.dev/backend/internal/redisbus"
)

// Option configures a Store.
type Option func(*Store)

// WithRedis shares revocations and tenant deletions with every replica through a pub/sub
// channel on rdb named prefix+"keys" (FORMA_REDIS_PREFIX, default "forma:"); log hears
// of Redis trouble (nil: slog.Default()).
func WithRedis(rdb *redis.Client, prefix string, log *slog.Logger) Option {
	return func(s *Store) {
		if rdb == nil {
			return
		}
		if log == nil {
			log = slog.Default()
		}
		s.bus = &bus{rdb: rdb, channel: prefix + "keys", log: log}
		s.bus.listener = s.listener()
	}
}

// bus is the Store's side of the channel.
type bus struct {
	rdb      *redis.Client
	channel  string
	log      *slog.Logger
	listener *redisbus.Listener
}

// notice tells every replica to forget one key (Lookup) or every key of a tenant
// (Tenant); each pushes to the list Ack once it has.
type notice struct {
	Lookup string `json:"lookup,omitempty"`
	Tenant int64  `json:"tenant,omitempty"`
	Ack    string `json:"ack,omitempty"`
}

// ackWait bounds how long a revocation or a deletion waits for every replica to say it
// has forgotten; past it, a replica that has not forgets within the cache TTL.
const ackWait = 2 * time.Second

// publish sends n to every replica and waits until each subscriber that received it has
// dropped the key, so that when a revocation or a deletion answers, no replica accepts
// the key any more. A failure is logged; the others then forget within the cache TTL.
func (s *Store) publish(ctx context.Context, n notice) {
	if s.bus == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	var id [12]byte
	_, _ = rand.Read(id[:])
	n.Ack = s.bus.channel + ":ack:" + hex.EncodeToString(id[:])
	msg, _ := json.Marshal(n)
	receivers, err := s.bus.rdb.Publish(ctx, s.bus.channel, msg).Result()
	if err != nil {
		s.bus.log.Warn("auth: redis publish failed; other replicas forget the key within the key cache TTL", "err", err)
		return
	}
	deadline := time.Now().Add(ackWait)
	for acked := int64(0); acked < receivers; acked++ {
		wait := time.Until(deadline)
		if wait <= 0 {
			s.bus.log.Warn("auth: not every replica confirmed forgetting a key; the rest forget within the key cache TTL",
				"confirmed", acked, "receivers", receivers)
			return
		}
		if err := s.bus.rdb.BLPop(ctx, wait, n.Ack).Err(); err != nil {
			s.bus.log.Warn("auth: waiting for replicas to forget a key", "err", err, "confirmed", acked, "receivers", receivers)
			return
		}
	}
	s.bus.rdb.Del(ctx, n.Ack)
}

// ack tells the publisher of n that this replica has forgotten what n names.
func (s *Store) ack(ctx context.Context, n notice) {
	if n.Ack == "" {
		return
	}
	pipe := s.bus.rdb.TxPipeline()
	pipe.RPush(ctx, n.Ack, 1)
	pipe.PExpire(ctx, n.Ack, 2*ackWait)
	_, _ = pipe.Exec(ctx)
}

// Start runs the sweep of the keys in use (sweep.go) and, with Redis, the subscriber,
// until ctx ends or Close is called. Call it once.
func (s *Store) Start(ctx context.Context) {
	ctx, s.stop = context.WithCancel(ctx)
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		s.sweep(ctx)
	}()
	if s.bus != nil {
		s.bus.listener.Start(ctx)
	}
}

// Close stops the sweep and the subscriber and waits for them. It does not close the
// Redis client.
func (s *Store) Close() {
	if s.stop != nil {
		s.stop()
		<-s.done
	}
	if s.bus != nil {
		s.bus.listener.Close()
	}
}

// Healthy reports whether notices from other replicas arrive: true without Redis
// (there are none), else while the subscription is live.
func (s *Store) Healthy() bool { return s.bus == nil || s.bus.listener.Live() }

// listener is the subscriber of the channel. Every subscription confirmation (the first,
// and the one go-redis's reconnect brings) drops the whole key cache: notices may have
// been lost.
func (s *Store) listener() *redisbus.Listener {
	return redisbus.New(s.bus.rdb, redisbus.Config{
		Channel: s.bus.channel, Logger: s.bus.log, Name: "auth",
		WhileLost:  "revocations on other replicas take the key cache TTL",
		Subscribed: func() { s.cache.dropAll(); s.forgot(0) },
		Message: func(ctx context.Context, payload string) {
			var n notice
			if json.Unmarshal([]byte(payload), &n) != nil {
				return
			}
			if n.Lookup != "" {
				s.cache.drop(n.Lookup)
			}
			if n.Tenant != 0 {
				s.cache.dropTenant(n.Tenant)
				s.forgot(n.Tenant)
			}
			s.ack(ctx, n)
		},
	})
}
