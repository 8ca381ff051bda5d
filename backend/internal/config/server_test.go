package config_test

import (
	"testing"
	"time"

	"forma.dev/backend/internal/config"
)

func TestServerLimits(t *testing.T) {
	t.Parallel()
	c, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	want := config.Server{ReadTimeout: 30 * time.Second, ReadMinRate: 16 << 10, WriteTimeout: time.Minute,
		IdleTimeout: 2 * time.Minute, MaxConns: 4096}
	if c.Server != want {
		t.Fatalf("defaults: %+v, want %+v", c.Server, want)
	}
	env := map[string]string{"FORMA_READ_TIMEOUT": "5s", "FORMA_READ_MIN_RATE": "1000", "FORMA_WRITE_TIMEOUT": "0s",
		"FORMA_IDLE_TIMEOUT": "10s", "FORMA_MAX_CONNS": "10", "FORMA_MAX_CONNS_PER_IP": "2"}
	if c, err = config.Load(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	want = config.Server{ReadTimeout: 5 * time.Second, ReadMinRate: 1000, IdleTimeout: 10 * time.Second, MaxConns: 10, MaxConnsPerIP: 2}
	if c.Server != want {
		t.Fatalf("set: %+v, want %+v", c.Server, want)
	}
	for k, v := range map[string]string{"FORMA_READ_TIMEOUT": "soon", "FORMA_READ_MIN_RATE": "0", "FORMA_MAX_CONNS": "0",
		"FORMA_MAX_CONNS_PER_IP": "-1", "FORMA_IDLE_TIMEOUT": "-1s"} {
		if _, err := config.Load(func(name string) string {
			if name == k {
				return v
			}
			return ""
		}); err == nil {
			t.Errorf("%s=%s: no error", k, v)
		}
	}
}
