package auth

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"forma.dev/backend/internal/tenantref"
)

func TestKeyCacheDoesNotCacheALookupThatRacedADrop(t *testing.T) {
	c, now := newKeyCache(time.Minute), time.Now()
	p := Principal{KeyID: 1, Tenant: KeyTenant{Ref: tenantref.Ref{ID: 7}}}
	_, _, gen := c.get("a", now) // a lookup starts and reads the row from the database
	c.dropTenant(7)              // meanwhile the tenant is deleted on this replica
	c.put("a", nil, p, now, gen) // the lookup finishes with the row it read before
	if _, ok, _ := c.get("a", now); ok {
		t.Fatal("a row read before the drop was cached")
	}
	_, _, gen = c.get("a", now)
	c.put("a", nil, p, now, gen)
	if got, ok, _ := c.get("a", now); !ok || !reflect.DeepEqual(got.principal, p) {
		t.Fatalf("a lookup without a drop in between was not cached: %+v %v", got, ok)
	}
}

func TestKeyCacheForgetsTheKeyUsedLeastRecentlyWhenFull(t *testing.T) {
	c, now := newKeyCache(time.Minute), time.Now()
	for i := range maxCached {
		c.put(strconv.Itoa(i), nil, Principal{KeyID: int64(i)}, now, 0)
	}
	c.get("0", now) // used again: "1" is now the least recently used
	c.put("new", nil, Principal{}, now, 0)
	if _, ok, _ := c.get("1", now); ok {
		t.Fatal("the key used least recently was kept past the bound")
	}
	for _, lookup := range []string{"0", "2", "new"} {
		if _, ok, _ := c.get(lookup, now); !ok {
			t.Fatalf("%s was forgotten", lookup)
		}
	}
}
