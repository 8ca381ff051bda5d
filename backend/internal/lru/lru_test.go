package lru

import (
	"strconv"
	"testing"
)

func TestTheBoundHolds(t *testing.T) {
	c := New[string, int](100)
	evictions := 0
	for i := range 5000 {
		if c.Put(strconv.Itoa(i), i) {
			evictions++
		}
	}
	if c.Len() != 100 || evictions != 4900 {
		t.Fatalf("%d entries after 5000 puts, %d evictions; want 100 and 4900", c.Len(), evictions)
	}
	for i := 4900; i < 5000; i++ {
		if v, ok := c.Peek(strconv.Itoa(i)); !ok || v != i {
			t.Fatalf("the entry of %d, among the last 100 put, is %d %v", i, v, ok)
		}
	}
}

func TestTheLeastRecentlyUsedGoesFirst(t *testing.T) {
	c := New[int, string](3)
	c.Put(1, "a")
	c.Put(2, "b")
	c.Put(3, "c")
	if !c.Put(4, "d") {
		t.Fatal("a put past the capacity evicted nothing")
	}
	if _, ok := c.Get(1); ok {
		t.Fatal("1, put first and never used since, was kept")
	}
	for _, k := range []int{2, 3, 4} {
		if _, ok := c.Get(k); !ok {
			t.Fatalf("%d was evicted", k)
		}
	}
}

func TestGetRefreshesAndPeekDoesNot(t *testing.T) {
	c := New[int, string](2)
	c.Put(1, "a")
	c.Put(2, "b")
	c.Get(1)
	c.Put(3, "c") // 2 is the least recently used now
	if _, ok := c.Peek(2); ok {
		t.Fatal("2 was kept although 1 was used after it")
	}
	if _, ok := c.Peek(1); !ok {
		t.Fatal("1 was evicted although Get had just used it")
	}
	c.Peek(1)
	c.Put(4, "d") // Peek did not refresh 1: it goes before 3
	if _, ok := c.Peek(1); ok {
		t.Fatal("Peek refreshed 1")
	}
}

func TestPutReplacesAndRefreshes(t *testing.T) {
	c := New[int, string](2)
	c.Put(1, "a")
	c.Put(2, "b")
	if c.Put(1, "A") {
		t.Fatal("replacing a value evicted an entry")
	}
	c.Put(3, "c")
	if v, ok := c.Get(1); !ok || v != "A" || c.Len() != 2 {
		t.Fatalf("1 is %q %v with %d entries; want the replaced value A, 2 entries", v, ok, c.Len())
	}
}

func TestRemoveRemoveFuncAndClear(t *testing.T) {
	c := New[int, int](10)
	for i := range 10 {
		c.Put(i, i)
	}
	if !c.Remove(3) || c.Remove(3) {
		t.Fatal("Remove does not report whether there was an entry")
	}
	if n := c.RemoveFunc(func(_, v int) bool { return v%2 == 0 }); n != 5 || c.Len() != 4 {
		t.Fatalf("RemoveFunc dropped %d, left %d; want 5 and 4", n, c.Len())
	}
	for _, k := range []int{1, 5, 7, 9} {
		if _, ok := c.Get(k); !ok {
			t.Fatalf("%d is gone", k)
		}
	}
	if n := c.Clear(); n != 4 || c.Len() != 0 {
		t.Fatalf("Clear dropped %d, left %d", n, c.Len())
	}
	c.Put(1, 1) // usable after Clear
	if v, ok := c.Get(1); !ok || v != 1 {
		t.Fatal("a cleared cache does not keep a new entry")
	}
}

func TestCapacityIsAtLeastOne(t *testing.T) {
	c := New[int, int](0)
	c.Put(1, 1)
	c.Put(2, 2)
	if v, ok := c.Get(2); !ok || v != 2 || c.Len() != 1 {
		t.Fatalf("capacity 0 holds %d entries", c.Len())
	}
}
