package changes

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// listen holds one connection in LISTEN on both channels: a committed change wakes its
// feed on this replica, an announced feed reloads the lease view. When the connection
// breaks it reconnects after a pause; meanwhile the feeds poll (Options.Poll), so a lost
// notice costs latency, never an event.
func (s *Service) listen(ctx context.Context) {
	for ctx.Err() == nil {
		err := s.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		s.opts.Logger.Warn("changes: listen", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// listenOnce listens on one connection until it fails or ctx is done. The connection is
// taken out of the pool and closed after: it may still be listening.
func (s *Service) listenOnce(ctx context.Context) error {
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	conn := pc.Hijack()
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if _, err := conn.Exec(ctx, "LISTEN "+changesChannel+"; LISTEN "+feedsChannel); err != nil {
		return err
	}
	s.listening.Store(true)
	defer s.listening.Store(false)
	s.wakeAll() // anything committed before LISTEN took effect
	s.reloadView()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Channel == feedsChannel {
			s.reloadView()
			continue
		}
		if k, ok := parseNotice(n.Payload); ok {
			s.wake(k)
		}
	}
}

// parseNotice reads a changesChannel payload, "<tenant id>/<model>".
func parseNotice(p string) (feedKey, bool) {
	id, model, ok := strings.Cut(p, "/")
	n, err := strconv.ParseInt(id, 10, 64)
	return feedKey{n, model}, ok && err == nil
}

func (s *Service) reloadView() {
	select {
	case s.reload <- struct{}{}:
	default:
	}
}

// wake asks feed k, and its tenant's whole feed, if this replica reads them, to read now.
func (s *Service) wake(k feedKey) {
	s.mu.Lock()
	f, whole := s.feeds[k], s.feeds[feedKey{k.tenant, tenantFeed}]
	s.mu.Unlock()
	for _, f := range []*feed{f, whole} {
		if f != nil {
			f.kick()
		}
	}
}

func (s *Service) wakeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.feeds {
		f.kick()
	}
}
