package webhooks

import (
	"context"
	"database/sql/driver"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// listen holds one pool connection in LISTEN on the outbox channel and wakes the
// workers on every notification (sent by Emit, delivered when the write commits). When
// the connection breaks it reconnects after a pause; meanwhile the workers still poll.
func (s *Service) listen(ctx context.Context) {
	for ctx.Err() == nil {
		err := s.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		s.opts.Logger.Warn("webhooks: listen", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// listenOnce listens on one connection until it fails or ctx is done. The connection is
// then discarded, never returned to the pool (it may still be listening).
func (s *Service) listenOnce(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var loopErr error
	_ = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			loopErr = errors.New("webhooks: the pool is not pgx: LISTEN unavailable, polling only")
			<-ctx.Done()
			return nil
		}
		pc := sc.Conn()
		// Closed here, so that a pool beneath database/sql destroys it instead of taking
		// back a connection that may still be listening.
		defer func() { _ = pc.Close(context.WithoutCancel(ctx)) }()
		if _, err := pc.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
			loopErr = err
			return driver.ErrBadConn
		}
		s.kick() // anything committed before LISTEN took effect
		for {
			if _, err := pc.WaitForNotification(ctx); err != nil {
				loopErr = err
				return driver.ErrBadConn
			}
			s.kick()
		}
	})
	return loopErr
}
