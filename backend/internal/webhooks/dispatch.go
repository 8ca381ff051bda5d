package webhooks

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"
)

// job is one claimed delivery with what sending it needs.
type job struct {
	id, lease, eventID, subID int64
	attempts                  int
	payload                   []byte
	url                       string
	secrets                   []string
	enabled                   bool
}

// claim leases the oldest due delivery, or parks it while an earlier delivery of its
// record is unfinished (claimSQL); more is false when nothing was due.
func (s *Service) claim(ctx context.Context) (j job, more bool, err error) {
	var parked bool
	var n nullJob
	err = s.db.QueryRowContext(ctx, claimSQL, s.opts.Lease.Microseconds(), s.opts.Poll.Microseconds()).
		Scan(append([]any{&parked}, n.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return j, false, nil
	}
	if err != nil {
		return j, false, err
	}
	j, _ = n.job()
	return j, true, nil
}

// Run dispatches deliveries until ctx is done: Options.Workers workers, a listener that
// wakes them when an event commits, and the periodic pruning. It returns when all have
// stopped. A delivery in flight when ctx ends is abandoned; its lease expires and it is
// retried, here or by another replica.
func (s *Service) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { s.listen(ctx) })
	wg.Go(func() { s.pruneLoop(ctx) })
	for range s.opts.Workers {
		wg.Go(func() { s.work(ctx) })
	}
	wg.Wait()
}

// work claims and sends deliveries while there are due ones, then waits for a wake-up
// or the poll interval.
func (s *Service) work(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-timer.C:
		}
		for ctx.Err() == nil {
			j, more, err := s.claim(ctx)
			if err != nil {
				if ctx.Err() == nil {
					s.opts.Logger.Warn("webhooks: claim", "err", err)
				}
				break
			}
			if !more {
				break
			}
			for ok := j.id != 0; ok && ctx.Err() == nil; {
				j, ok = s.deliver(ctx, j) // then the record's next delivery, handed to this worker
			}
		}
		timer.Reset(s.opts.Poll)
	}
}

// kick wakes every idle worker of this replica.
func (s *Service) kick() {
	for range s.opts.Workers {
		select {
		case s.wake <- struct{}{}:
		default:
			return
		}
	}
}
