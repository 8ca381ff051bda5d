package openapi_test

import (
	"errors"
	"strconv"
	"sync"
	"testing"

	"forma.dev/backend/internal/openapi"
)

// counter builds "tenant/version" documents and counts the builds.
type counter struct {
	mu     sync.Mutex
	builds int
}

func (c *counter) build(tenant, version int64) func() ([]byte, error) {
	return func() ([]byte, error) {
		c.mu.Lock()
		c.builds++
		c.mu.Unlock()
		return []byte(strconv.FormatInt(tenant, 10) + "/" + strconv.FormatInt(version, 10)), nil
	}
}

func get(t *testing.T, c *openapi.Cache, n *counter, tenant, version int64) string {
	t.Helper()
	doc, err := c.Get(tenant, version, n.build(tenant, version))
	if err != nil {
		t.Fatal(err)
	}
	return string(doc)
}

func TestCache(t *testing.T) {
	c, n := openapi.NewCache(2), &counter{}
	scenarios := []struct {
		tenant, version int64
		want            string
		builds          int
	}{
		{1, 1, "1/1", 1},
		{1, 1, "1/1", 1}, // cached
		{1, 2, "1/2", 2}, // a new version replaces the old one
		{1, 1, "1/1", 3}, // an older version is built, not kept
		{1, 2, "1/2", 3},
		{2, 5, "2/5", 4},
		{3, 1, "3/1", 5}, // evicts tenant 1, the least recently used
		{2, 5, "2/5", 5},
		{1, 2, "1/2", 6},
	}
	for i, s := range scenarios {
		if got := get(t, c, n, s.tenant, s.version); got != s.want || n.builds != s.builds {
			t.Errorf("step %d: got %s after %d builds, want %s after %d", i, got, n.builds, s.want, s.builds)
		}
	}
	if c.Len() != 2 {
		t.Errorf("Len = %d, want 2", c.Len())
	}
}

func TestCacheBuildError(t *testing.T) {
	c := openapi.NewCache(4)
	boom := errors.New("boom")
	if _, err := c.Get(1, 1, func() ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if c.Len() != 0 {
		t.Error("a failed build was cached")
	}
}

func TestCacheConcurrent(t *testing.T) {
	c, n := openapi.NewCache(8), &counter{}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				tenant, version := int64(g%4), int64(i/50)
				if got, want := get(t, c, n, tenant, version), strconv.Itoa(g%4)+"/"+strconv.Itoa(i/50); got != want {
					t.Errorf("got %s, want %s", got, want)
				}
			}
		})
	}
	wg.Wait()
}
