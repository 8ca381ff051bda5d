// Package lru is a map bounded by count: adding past its capacity evicts the entry used
// least recently.
package lru

import "container/list"

// Cache maps keys to values, at most capacity of them; Get and Put mark an entry used,
// and a Put past the capacity evicts the entry used least recently.
//
// A Cache is not safe for concurrent use: callers guard it with their own lock, since
// each of them keeps more than the cache under that lock (a version check, counters, a
// generation) and would take it anyway.
type Cache[K comparable, V any] struct {
	capacity int
	order    list.List // front: most recently used; values are *item[K, V]
	items    map[K]*list.Element
}

// item is one entry: the key is kept beside the value to delete it from the map on eviction.
type item[K comparable, V any] struct {
	key K
	val V
}

// New returns an empty cache holding at most capacity entries (at least 1).
func New[K comparable, V any](capacity int) *Cache[K, V] {
	capacity = max(capacity, 1)
	return &Cache[K, V]{capacity: capacity, items: make(map[K]*list.Element, min(capacity, 1024))}
}

// Get returns the value of k and marks it used.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	el, ok := c.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*item[K, V]).val, true
}

// Peek returns the value of k without marking it used.
func (c *Cache[K, V]) Peek(k K) (V, bool) {
	el, ok := c.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	return el.Value.(*item[K, V]).val, true
}

// Put stores v under k, replacing any value k had, and marks it used. It reports whether
// it evicted the entry used least recently to stay within the capacity.
func (c *Cache[K, V]) Put(k K, v V) (evicted bool) {
	if el, ok := c.items[k]; ok {
		el.Value.(*item[K, V]).val = v
		c.order.MoveToFront(el)
		return false
	}
	c.items[k] = c.order.PushFront(&item[K, V]{key: k, val: v})
	if c.order.Len() <= c.capacity {
		return false
	}
	last := c.order.Back()
	c.order.Remove(last)
	delete(c.items, last.Value.(*item[K, V]).key)
	return true
}

// Remove drops the entry of k and reports whether there was one.
func (c *Cache[K, V]) Remove(k K) bool {
	el, ok := c.items[k]
	if ok {
		c.order.Remove(el)
		delete(c.items, k)
	}
	return ok
}

// RemoveFunc drops every entry for which drop returns true and returns how many it dropped.
func (c *Cache[K, V]) RemoveFunc(drop func(K, V) bool) int {
	n := 0
	for el := c.order.Front(); el != nil; {
		next := el.Next()
		if it := el.Value.(*item[K, V]); drop(it.key, it.val) {
			c.order.Remove(el)
			delete(c.items, it.key)
			n++
		}
		el = next
	}
	return n
}

// Clear drops every entry and returns how many there were.
func (c *Cache[K, V]) Clear() int {
	n := c.order.Len()
	c.order.Init()
	clear(c.items)
	return n
}

// Range calls f for every entry, most recently used first, without marking any used.
func (c *Cache[K, V]) Range(f func(K, V)) {
	for el := c.order.Front(); el != nil; el = el.Next() {
		it := el.Value.(*item[K, V])
		f(it.key, it.val)
	}
}

// Len returns the number of entries.
func (c *Cache[K, V]) Len() int { return c.order.Len() }
