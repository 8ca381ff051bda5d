// Package redisbus listens on one Redis pub/sub channel for as long as it is asked to,
// through Redis restarts and network trouble, and says whether it is listening now.
package redisbus

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Config says which channel to listen on and what to do with what arrives. Subscribed
// and Message are required; the Listener calls them from one goroutine, one at a time.
type Config struct {
	Channel string
	// Logger hears when the subscription is lost and when it is live again (nil:
	// slog.Default()).
	Logger *slog.Logger
	// Name starts every log line, e.g. "registry".
	Name string
	// WhileLost completes the log line of a lost subscription: what its owner does
	// meanwhile, e.g. "serving from Postgres".
	WhileLost string

	// Subscribed is called on every subscription confirmation, the first and each one
	// a reconnect brings: messages published meanwhile may have been lost, so whatever
	// they keep fresh has to be dropped.
	Subscribed func()
	// Message is called with the payload of every message, in order; ctx ends when the
	// Listener stops.
	Message func(ctx context.Context, payload string)
	// Failed, if set, is called with every error of the subscription; the Listener
	// itself logs only the first error of each loss.
	Failed func(err error)
}

// Listener runs the subscription of a Config. Start it once; Close stops it.
type Listener struct {
	rdb  *redis.Client
	cfg  Config
	live atomic.Bool
	stop context.CancelFunc
	done chan struct{}
}

// New returns a Listener on rdb configured by cfg; it listens once started.
func New(rdb *redis.Client, cfg Config) *Listener {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Listener{rdb: rdb, cfg: cfg}
}

// Start listens until ctx ends or Close is called; a second Start does nothing.
func (l *Listener) Start(ctx context.Context) {
	if l.done != nil {
		return
	}
	ctx, l.stop = context.WithCancel(ctx)
	l.done = make(chan struct{})
	go l.run(ctx)
}

// Close stops listening and waits until the last callback has returned. It does not
// close the Redis client.
func (l *Listener) Close() {
	if l.done != nil {
		l.stop()
		<-l.done
	}
}

// Live reports whether the subscription is confirmed and has not failed since.
func (l *Listener) Live() bool { return l.live.Load() }

// pingAfter is how long a quiet channel waits before a ping checks the connection.
const pingAfter = 15 * time.Second

func (l *Listener) run(ctx context.Context) {
	defer close(l.done)
	ps := l.rdb.Subscribe(ctx, l.cfg.Channel)
	stopped := make(chan struct{})
	defer func() { <-stopped }()
	go func() { // a blocked read does not watch ctx: closing unblocks it
		<-ctx.Done()
		_ = ps.Close()
		close(stopped)
	}()
	var backoff time.Duration // the first retry is at once: go-redis has reconnected already
	for {
		msg, err := ps.ReceiveTimeout(ctx, pingAfter)
		if ctx.Err() != nil {
			return
		}
		var nerr net.Error
		if err != nil && errors.As(err, &nerr) && nerr.Timeout() {
			err = ps.Ping(ctx)
		}
		if err != nil {
			if l.live.Swap(false) {
				l.cfg.Logger.Warn(l.cfg.Name+": redis subscription lost; "+l.cfg.WhileLost, "err", err)
			}
			if l.cfg.Failed != nil {
				l.cfg.Failed(err)
			}
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
				l.cfg.Subscribed()
				if !l.live.Swap(true) {
					l.cfg.Logger.Info(l.cfg.Name+": redis subscribed", "channel", l.cfg.Channel)
				}
			}
		case *redis.Message:
			l.cfg.Message(ctx, m.Payload)
		}
	}
}
