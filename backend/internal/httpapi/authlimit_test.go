package httpapi_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"forma.dev/backend/internal/apitest"
	"forma.dev/backend/internal/app"
	"forma.dev/backend/internal/config"
	"forma.dev/backend/internal/testdb"
)

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// loggedServer is apitest.Start with every log line, debug included, kept in a buffer.
func loggedServer(t *testing.T, options ...func(*config.Config)) (*apitest.Server, *syncBuffer) {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL, cfg.AdminKey = testdb.New(t), apitest.AdminKey
	for _, o := range options {
		o(&cfg)
	}
	logs := &syncBuffer{}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return &apitest.Server{App: a, AdminKey: cfg.AdminKey}, logs
}

// from sends a request as the client at addr (through a proxy when forwarded is set).
func from(s *apitest.Server, addr, forwarded, method, path, key string) *http.Response {
	req := s.Request(method, path, key, "")
	req.RemoteAddr = addr + ":40000"
	if forwarded != "" {
		req.Header.Set("X-Forwarded-For", forwarded)
	}
	return s.Serve(req).Result()
}

// burstLimit is a failed-authentication limit small enough to reach in a test and slow
// enough not to refill during it.
func burstLimit(burst int) func(*config.Config) {
	return func(c *config.Config) { c.AuthFail = config.AuthFailLimit{Burst: burst, Rate: 1, Period: time.Hour} }
}

func TestWrongKeysFromOneAddressAreRefusedAfterTheBurst(t *testing.T) {
	t.Parallel()
	s, logs := loggedServer(t, burstLimit(3))
	acme := s.Tenant(t, "acme")
	wrong := "fk_0123456789abcdef_" + strings.Repeat("x", 43)
	var codes []int
	for range 20 {
		codes = append(codes, from(s, "198.51.100.7", "", "GET", "/api/v1/t/acme", wrong).StatusCode)
	}
	for i, code := range codes {
		if want := map[bool]int{true: 401, false: 429}[i < 3]; code != want {
			t.Fatalf("answers to 20 wrong keys: %v; want three 401, then 429", codes)
		}
	}
	res := from(s, "198.51.100.7", "", "GET", "/api/v1/t/acme", acme.Read)
	if res.StatusCode != 429 || res.Header.Get("Retry-After") == "" ||
		res.Header.Get("RateLimit-Policy") != `"auth";q=3;w=10800` || !strings.HasPrefix(res.Header.Get("RateLimit"), `"auth";r=0;t=`) {
		t.Fatalf("a good key from a refused address: %d %v; want 429 with Retry-After and RateLimit headers", res.StatusCode, res.Header)
	}
	if n := strings.Count(logs.String(), "too many failed authentications"); n != 1 {
		t.Fatalf("the burst was logged %d times, want once:\n%s", n, logs)
	}
	if res := from(s, "198.51.100.8", "", "GET", "/api/v1/t/acme", acme.Read); res.StatusCode != 200 {
		t.Fatalf("another address with a good key: %d", res.StatusCode)
	}
	// Wrong platform keys count the same way.
	if res := from(s, "198.51.100.7", "", "GET", "/api/v1/tenants", s.AdminKey+"x"); res.StatusCode != 429 {
		t.Fatalf("a wrong platform key from the refused address: %d", res.StatusCode)
	}
}

// Only failures count: any number of good keys leaves the whole burst to a mistake.
func TestGoodKeysAreNotCounted(t *testing.T) {
	t.Parallel()
	s, _ := loggedServer(t, burstLimit(1))
	acme := s.Tenant(t, "acme")
	for range 50 {
		if res := from(s, "198.51.100.9", "", "GET", "/api/v1/t/acme", acme.Read); res.StatusCode != 200 {
			t.Fatalf("a good key: %d", res.StatusCode)
		}
	}
	if res := from(s, "198.51.100.9", "", "GET", "/api/v1/t/acme", acme.Read+"x"); res.StatusCode != 401 {
		t.Fatalf("the first mistake after 50 good requests: %d, want 401", res.StatusCode)
	}
}

// Wrong secrets for one key prefix are refused whatever address they come from, while
// the key itself keeps working.
func TestWrongSecretsForOneKeyAreRefusedFromEveryAddress(t *testing.T) {
	t.Parallel()
	s, _ := loggedServer(t, burstLimit(3))
	acme := s.Tenant(t, "acme")
	wrong := acme.Read[:len(acme.Read)-4] + "abcd"
	var codes []int
	for i := range 6 {
		addr := "203.0.113." + string(rune('1'+i))
		codes = append(codes, from(s, addr, "", "GET", "/api/v1/t/acme", wrong).StatusCode)
	}
	if codes[2] != 401 || codes[3] != 429 || codes[5] != 429 {
		t.Fatalf("wrong secrets of one key from six addresses: %v; want 401 three times, then 429", codes)
	}
	if res := from(s, "203.0.113.9", "", "GET", "/api/v1/t/acme", acme.Read); res.StatusCode != 200 {
		t.Fatalf("the key itself: %d, want 200", res.StatusCode)
	}
}

// X-Forwarded-For names the client only when the peer is a trusted proxy: otherwise any
// client could pick a new address for each guess.
func TestForwardedForIsBelievedOnlyFromTrustedProxies(t *testing.T) {
	t.Parallel()
	untrusting, _ := loggedServer(t, burstLimit(2))
	trusting, _ := loggedServer(t, burstLimit(2), func(c *config.Config) { c.TrustedProxies = "192.0.2.0/24" })
	wrong := "not-a-key-at-all-not-a-key"
	answers := func(s *apitest.Server) (codes []int) {
		for i := range 5 {
			codes = append(codes, from(s, "192.0.2.1", "198.51.100."+string(rune('1'+i)), "GET", "/api/v1/tenants", wrong).StatusCode)
		}
		return codes
	}
	if codes := answers(untrusting); codes[2] != 429 {
		t.Fatalf("without trusted proxies, spoofed X-Forwarded-For: %v; want 429 after two (one address)", codes)
	}
	if codes := answers(trusting); codes[4] != 401 {
		t.Fatalf("behind a trusted proxy, five clients: %v; want 401 for each", codes)
	}
}

// No log line, at any level, holds a key's secret or a whole key, whatever the outcome.
func TestNoKeyMaterialIsLogged(t *testing.T) {
	t.Parallel()
	s, logs := loggedServer(t, burstLimit(2))
	acme := s.Tenant(t, "acme")
	wrongSecret := acme.Admin[:20] + "WRONGSECRETWRONGSECRETWRONGSECRETWRONGSECR"
	unknown := "fk_fedcba9876543210_UNKNOWNSECRETUNKNOWNSECRETUNKNOWNSECRETUNK"
	keys := []string{acme.Admin, acme.Read, wrongSecret, unknown, "garbage-bearer-value-0123456789", s.AdminKey + "nope"}
	for range 3 {
		for _, k := range keys {
			for _, path := range []string{"/api/v1/t/acme", "/api/v1/t/acme/keys", "/api/v1/tenants"} {
				from(s, "198.51.100.20", "", "GET", path, k)
			}
		}
	}
	from(s, "198.51.100.21", "", "POST", "/api/v1/t/acme/keys", acme.Admin) // a 400, logged at debug
	out := logs.String()
	if !strings.Contains(out, "too many failed authentications") || !strings.Contains(out, `"status":401`) {
		t.Fatalf("the log lacks the failures it should show:\n%s", out)
	}
	for _, k := range append(keys, s.AdminKey) {
		secret := k
		if _, after, ok := strings.Cut(strings.TrimPrefix(k, "fk_"), "_"); ok {
			secret = after
		}
		if strings.Contains(out, secret) {
			t.Fatalf("the log holds key material %q:\n%s", secret, out)
		}
	}
}
