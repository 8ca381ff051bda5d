package ratelimit

import (
	"container/list"
	"time"

	"golang.org/x/time/rate"
)

// allowLocal counts the event in this process's limiter of key.
func (l *Limiter) allowLocal(key string, lim Limit) Result {
	now := l.now()
	every := rate.Every(lim.Period / time.Duration(lim.Rate))
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.local.get(key)
	if e.lim == nil || e.lim.Burst() != lim.Burst || e.lim.Limit() != every {
		e.lim = rate.NewLimiter(every, lim.Burst)
	}
	r := e.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); !r.OK() || d > 0 {
		r.CancelAt(now)
		return Result{RetryAfter: max(d, time.Millisecond)}
	}
	return Result{Allowed: true, Remaining: int(e.lim.TokensAt(now))}
}

// entry is what the process keeps of one key: its fallback limiter and until when it is
// refused.
type entry struct {
	key          string
	lim          *rate.Limiter // nil until the key is counted in process
	blockedUntil time.Time
}

// lru is a map of entries by key bounded by count, least recently used out first. It is
// not safe for concurrent use; Limiter guards it with its mutex.
type lru struct {
	size  int
	order *list.List // front: most recently used; values are *entry
	items map[string]*list.Element
}

func newLRU(size int) *lru {
	return &lru{size: size, order: list.New(), items: make(map[string]*list.Element, min(size, 1024))}
}

// peek returns the entry of key without marking it used.
func (c *lru) peek(key string) (*entry, bool) {
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	return el.Value.(*entry), true
}

// get returns the entry of key, made if missing, and marks it used.
func (c *lru) get(key string) *entry {
	if el, ok := c.items[key]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*entry)
	}
	e := &entry{key: key}
	c.items[key] = c.order.PushFront(e)
	for c.order.Len() > c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*entry).key)
	}
	return e
}

func (c *lru) len() int { return c.order.Len() }
