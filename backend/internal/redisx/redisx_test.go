package redisx_test

import (
	"context"
	"os"
	"testing"

	"forma.dev/backend/internal/redisx"
)

func TestOpen(t *testing.T) {
	ctx := context.Background()
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	c, err := redisx.Open(ctx, url)
	if err != nil {
		t.Fatalf("%v (is Redis running? see README)", err)
	}
	c.Close()
	for _, bad := range []string{"redis://127.0.0.1:1/0", "nonsense://x"} {
		if c, err := redisx.Open(ctx, bad); err == nil || c != nil {
			t.Errorf("Open(%q) = %v, %v; want an error", bad, c, err)
		}
	}
}
