package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"forma.dev/backend/internal/app"
	"forma.dev/backend/internal/config"
	"forma.dev/backend/internal/testdb"
)

func TestServeAnswersAndShutsDownWhenCancelled(t *testing.T) {
	t.Parallel()
	cfg, _ := config.Load(func(string) string { return "" })
	cfg.DatabaseURL, cfg.AdminKey = testdb.New(t), "platform-key-0123456789"
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()

	res, err := http.Get("http://" + ln.Addr().String() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("readyz: %d %s", res.StatusCode, body)
	}
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		t.Fatal("the server still answers after shutdown")
	}
}

func TestNewRefusesToStartWithoutAPlatformKey(t *testing.T) {
	t.Parallel()
	cfg, _ := config.Load(func(string) string { return "" })
	if _, err := app.New(context.Background(), cfg, slog.Default()); err == nil {
		t.Fatal("New started without FORMA_ADMIN_KEY")
	}
}
