package replicatest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"forma.dev/backend/internal/app"
	"forma.dev/backend/internal/config"
	"forma.dev/backend/internal/testdb"
)

// adminKey is the platform key of every replica.
const adminKey = "replica-test-platform-key-0123"

// sharedRedisURL is the Redis the tests share: TEST_REDIS_URL, else the local default.
func sharedRedisURL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// cluster is one Postgres database and one Redis key prefix that its replicas share.
type cluster struct {
	t        testing.TB
	dbURL    string
	redisURL string
	prefix   string
}

// newCluster makes a fresh database and a random prefix whose keys are deleted at the end.
func newCluster(t testing.TB) *cluster {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	c := &cluster{t: t, dbURL: testdb.New(t), redisURL: sharedRedisURL(),
		prefix: "forma-replicatest-" + hex.EncodeToString(b[:]) + ":"}
	t.Cleanup(func() { deleteKeys(c.redisURL, c.prefix) })
	return c
}

// deleteKeys removes the keys under prefix (SCAN + DEL: never FLUSH a shared Redis).
func deleteKeys(redisURL, prefix string) {
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		rdb.Del(ctx, iter.Val())
	}
}

// replica is one running Forma: its App and the URL of its real HTTP server.
type replica struct {
	name       string // a, b, …: the test's name for it
	app        *app.App
	url        string
	clientName string // its Redis client name (CLIENT LIST shows it), unique per test
}

// option changes one replica's configuration.
type option func(*config.Config)

// window sets the replica's staleness window (FORMA_CACHE_WINDOW).
func window(d time.Duration) option { return func(c *config.Config) { c.CacheWindow = d } }

// redisAt points the replica at another Redis (e.g. a private one, or a closed port).
func redisAt(u string) option { return func(c *config.Config) { c.RedisURL = u } }

// prefix gives the replica another Redis prefix: its notices reach no replica of the
// cluster, as if every one of them were lost.
func prefix(p string) option { return func(c *config.Config) { c.RedisPrefix = p } }

// start runs a replica named name on the cluster's database and Redis; opts apply last.
// It is stopped in t.Cleanup.
func (c *cluster) start(name string, opts ...option) *replica {
	c.t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		c.t.Fatal(err)
	}
	cfg.DatabaseURL, cfg.AdminKey = c.dbURL, adminKey
	cfg.RedisURL, cfg.RedisPrefix = c.redisURL, c.prefix
	for _, o := range opts {
		o(&cfg)
	}
	r := &replica{name: name, clientName: c.prefix + name}
	cfg.RedisURL = withClientName(c.t, cfg.RedisURL, r.clientName)
	r.app, err = app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		c.t.Fatal(err)
	}
	srv := httptest.NewServer(r.app.Handler)
	r.url = srv.URL
	c.t.Cleanup(func() {
		srv.Close()
		_ = r.app.Close()
	})
	return r
}

// withClientName names every connection of the replica's Redis client (client_name=).
func withClientName(t testing.TB, redisURL, name string) string {
	u, err := url.Parse(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("client_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// waitHealthy waits until every replica's cache is subscribed to its channel.
func waitHealthy(t testing.TB, rs ...*replica) {
	t.Helper()
	for _, r := range rs {
		eventually(t, 10*time.Second, r.name+" subscribed", r.app.Models.Healthy)
	}
}

// eventually polls cond until it holds, failing the test after timeout.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// rounds is n, or a fifth of it with -short.
func rounds(n int) int {
	if testing.Short() {
		return max(n/5, 2)
	}
	return n
}
