package webhooks_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"forma.dev/backend/internal/webhooks"
)

func TestPublicAddr(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		addr   string
		public bool
	}{
		{"93.184.216.34", true}, {"8.8.8.8", true}, {"2606:4700::1111", true},
		{"127.0.0.1", false}, {"127.1.2.3", false}, {"::1", false},
		{"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false}, {"fd00::1", false},
		{"169.254.169.254", false}, {"fe80::1", false},
		{"0.0.0.0", false}, {"::", false},
		{"224.0.0.1", false}, {"ff02::1", false}, {"255.255.255.255", false},
		{"100.64.0.1", false}, {"::ffff:127.0.0.1", false}, {"::ffff:10.0.0.1", false},
	}
	for _, sc := range scenarios {
		if got := webhooks.PublicAddr(netip.MustParseAddr(sc.addr)); got != sc.public {
			t.Errorf("PublicAddr(%s) = %v, want %v", sc.addr, got, sc.public)
		}
	}
}

// The check runs at dial time on the resolved address: a name that resolves to
// loopback ("localhost") is refused like the literal address.
func TestTheClientRefusesPrivateAddressesUnlessAllowed(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	byName := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	for _, url := range []string{srv.URL, byName} {
		req, _ := http.NewRequestWithContext(context.Background(), "POST", url, nil)
		_, err := webhooks.NewClient(time.Second, false).Do(req)
		if !errors.Is(err, webhooks.ErrForbiddenAddress) {
			t.Errorf("%s: err = %v, want ErrForbiddenAddress", url, err)
		}
		resp, err := webhooks.NewClient(time.Second, true).Do(req.Clone(context.Background()))
		if err != nil {
			t.Fatalf("%s with private allowed: %v", url, err)
		}
		resp.Body.Close()
	}
}
