package registry

import (
	"container/list"
	"time"
)

// entry is one cached tenant: its compiled set and when its version must be re-checked.
type entry struct {
	tenant  int64
	set     *Set
	checkAt time.Time
}

// lru is a map of entries by tenant bounded by count, least recently used out first.
// It is not safe for concurrent use; Registry guards it with its mutex.
type lru struct {
	size  int
	order *list.List // front: most recently used; values are *entry
	items map[int64]*list.Element
}

func newLRU(size int) *lru {
	return &lru{size: size, order: list.New(), items: make(map[int64]*list.Element, min(size, 4096))}
}

// get returns the entry of tenant and marks it used.
func (c *lru) get(tenant int64) (*entry, bool) {
	el, ok := c.items[tenant]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*entry), true
}

// put stores e, replacing the tenant's entry, and returns how many entries it evicted.
func (c *lru) put(e *entry) int {
	if el, ok := c.items[e.tenant]; ok {
		el.Value = e
		c.order.MoveToFront(el)
		return 0
	}
	c.items[e.tenant] = c.order.PushFront(e)
	evicted := 0
	for c.order.Len() > c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*entry).tenant)
		evicted++
	}
	return evicted
}

// remove drops the tenant's entry and reports whether there was one.
func (c *lru) remove(tenant int64) bool {
	el, ok := c.items[tenant]
	if ok {
		c.order.Remove(el)
		delete(c.items, tenant)
	}
	return ok
}

// clear drops every entry and returns how many there were.
func (c *lru) clear() int {
	n := c.order.Len()
	c.order.Init()
	clear(c.items)
	return n
}

func (c *lru) len() int { return c.order.Len() }
