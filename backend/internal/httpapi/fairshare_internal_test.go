package httpapi

import (
	"context"
	"testing"
	"time"
)

// A tenant's slow kinds of request take a slot of the slow part of its share too: once
// they hold it all, the next slow one waits, while its fast ones still go.
func TestSlowKindsQueueBehindEachOtherNotBeforeFastOnes(t *testing.T) {
	t.Parallel()
	f := newFairShare()
	s := f.share(1, 64) // two slow slots
	scan := requestKind("GET", "/api/v1/t/:tenant/data/:model", "event", map[string][]string{"source__icontains": {"zq"}})
	get := requestKind("GET", "/api/v1/t/:tenant/data/:model/:id", "event", nil)
	ctx := context.Background()
	if s.isSlow(scan) {
		t.Fatal("a kind never measured is slow")
	}
	s.took(scan, 200*time.Millisecond)
	s.took(get, time.Millisecond)
	if !s.isSlow(scan) || s.isSlow(get) {
		t.Fatalf("slow: scan %v, get %v", s.isSlow(scan), s.isSlow(get))
	}
	var releases []func()
	for range 2 {
		r, ok := s.acquire(ctx, scan, time.Millisecond)
		if !ok {
			t.Fatal("a slow request found no slot with the slow part of the share free")
		}
		releases = append(releases, r)
	}
	if _, ok := s.acquire(ctx, scan, 10*time.Millisecond); ok {
		t.Fatal("a third slow request got a slot of two")
	}
	for range 62 { // the rest of the share
		r, ok := s.acquire(ctx, get, 0)
		if !ok {
			t.Fatal("a fast request waited behind slow ones")
		}
		defer r()
	}
	if _, ok := s.acquire(ctx, get, 10*time.Millisecond); ok {
		t.Fatal("a request got a slot beyond the share of 64")
	}
	releases[0]()
	r, ok := s.acquire(ctx, scan, time.Millisecond)
	if !ok {
		t.Fatal("a slow request found no slot after one was released")
	}
	r()
	releases[1]()
	if len(s.all) != 62 || len(s.slow) != 0 {
		t.Fatalf("slots held after every slow one ended: %d of the share, %d slow", len(s.all), len(s.slow))
	}
}

func TestAFailedAcquireHoldsNothing(t *testing.T) {
	t.Parallel()
	s := newFairShare().share(1, 1)
	const slow, fast = 1, 2
	s.took(slow, time.Second)
	hold, _ := s.acquire(context.Background(), fast, 0)
	if _, ok := s.acquire(context.Background(), slow, time.Millisecond); ok {
		t.Fatal("a slot beyond the share")
	}
	if len(s.slow) != 0 {
		t.Fatal("the slow slot was kept by a request that got no slot of the share")
	}
	hold()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	hold, _ = s.acquire(context.Background(), fast, 0)
	if _, ok := s.acquire(ctx, fast, time.Hour); ok {
		t.Fatal("a request whose client left got a slot")
	}
	hold()
}

func TestShareFollowsItsLimitAndTheTenantsAreBounded(t *testing.T) {
	t.Parallel()
	f := newFairShare()
	if f.share(1, 4) != f.share(1, 4) {
		t.Fatal("a tenant's share is not kept")
	}
	if s := f.share(1, 96); cap(s.all) != 96 || cap(s.slow) != 3 {
		t.Fatalf("a changed limit: %d slots, %d slow", cap(s.all), cap(s.slow))
	}
	for id := range int64(maxShareTenants + 5) {
		f.share(id, 1)
	}
	if f.len() != maxShareTenants {
		t.Fatalf("%d shares kept, at most %d", f.len(), maxShareTenants)
	}
}

func TestRequestKindIsItsNamesNotItsValues(t *testing.T) {
	t.Parallel()
	a := requestKind("GET", "/api/v1/t/:tenant/data/:model", "event", map[string][]string{"source__icontains": {"zq"}, "limit": {"5"}})
	b := requestKind("GET", "/api/v1/t/:tenant/data/:model", "event", map[string][]string{"limit": {"50"}, "source__icontains": {"x"}})
	c := requestKind("GET", "/api/v1/t/:tenant/data/:model", "event", map[string][]string{"source": {"x"}, "limit": {"50"}})
	if a != b || a == c {
		t.Fatalf("kinds: %x %x %x", a, b, c)
	}
}
