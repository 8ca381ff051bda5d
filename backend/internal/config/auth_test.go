package config_test

import (
	"slices"
	"testing"
	"time"

	"forma.dev/backend/internal/config"
)

func TestAuthFailLimitAndTrustedProxies(t *testing.T) {
	t.Parallel()
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if want := (config.AuthFailLimit{Burst: 10, Rate: 1, Period: time.Second}); c.AuthFail != want || c.TrustedProxyList() != nil {
		t.Fatalf("defaults: %+v, proxies %q", c.AuthFail, c.TrustedProxies)
	}
	c, err = config.Load(env(map[string]string{"FORMA_AUTH_FAIL_BURST": "0", "FORMA_AUTH_FAIL_RATE": "30/m",
		"FORMA_TRUSTED_PROXIES": " 10.0.0.0/8, 127.0.0.1 ,"}))
	if err != nil {
		t.Fatal(err)
	}
	if want := (config.AuthFailLimit{Burst: 0, Rate: 30, Period: time.Minute}); c.AuthFail != want ||
		!slices.Equal(c.TrustedProxyList(), []string{"10.0.0.0/8", "127.0.0.1"}) {
		t.Fatalf("read: %+v, proxies %q", c.AuthFail, c.TrustedProxyList())
	}
	for _, vars := range []map[string]string{
		{"FORMA_AUTH_FAIL_BURST": "-1"}, {"FORMA_AUTH_FAIL_BURST": "many"},
		{"FORMA_AUTH_FAIL_RATE": "5"}, {"FORMA_AUTH_FAIL_RATE": "0/s"}, {"FORMA_AUTH_FAIL_RATE": "5/d"}, {"FORMA_AUTH_FAIL_RATE": "x/s"},
		{"FORMA_TRUSTED_PROXIES": "10.0.0.0/33"}, {"FORMA_TRUSTED_PROXIES": "proxy.local"},
	} {
		if _, err := config.Load(env(vars)); err == nil {
			t.Errorf("Load accepted %v", vars)
		}
	}
}
