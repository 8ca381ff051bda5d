package webhooks

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestVerdict(t *testing.T) {
	t.Parallel()
	s := &Service{opts: Options{Backoff: []time.Duration{time.Second, time.Minute}, MaxAttempts: 3}.withDefaults()}
	scenarios := []struct {
		name     string
		attempts int
		o        outcome
		status   string
		gone     bool
		min, max time.Duration
	}{
		{"2xx succeeds", 0, outcome{status: 204}, statusSucceeded, false, 0, 0},
		{"410 disables", 0, outcome{status: 410}, statusDead, true, 0, 0},
		{"500 retries after the first step", 0, outcome{status: 500}, statusFailed, false, 800 * time.Millisecond, 1200 * time.Millisecond},
		{"no answer retries after the second step", 1, outcome{err: "refused"}, statusFailed, false, 48 * time.Second, 72 * time.Second},
		{"3xx is a failure", 0, outcome{status: 301}, statusFailed, false, 800 * time.Millisecond, 1200 * time.Millisecond},
		{"Retry-After wins", 0, outcome{status: 503, retryAfter: time.Hour}, statusFailed, false, time.Hour, time.Hour},
		{"the last attempt is dead", 2, outcome{status: 500}, statusDead, false, 0, 0},
	}
	for _, sc := range scenarios {
		v := s.verdict(job{attempts: sc.attempts}, sc.o)
		if v.status != sc.status || v.gone != sc.gone || v.wait < sc.min || v.wait > sc.max {
			t.Errorf("%s: %+v", sc.name, v)
		}
	}
}

func TestDefaultBackoffSpansHours(t *testing.T) {
	t.Parallel()
	s := &Service{opts: Options{}.withDefaults()}
	var total time.Duration
	for n := 1; n < s.opts.MaxAttempts; n++ {
		total += s.backoff(n)
	}
	if total < 15*time.Hour || total > 40*time.Hour {
		t.Fatalf("retries span %v", total)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	scenarios := map[string]time.Duration{
		"": 0, "120": 2 * time.Minute, "0": 0, "-5": 0, "soon": 0, "999999999": maxRetryAfter,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       0,
	}
	for in, want := range scenarios {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestTruncateKeepsAKiBOfValidText(t *testing.T) {
	t.Parallel()
	for _, in := range []string{strings.Repeat("é", 1000), strings.Repeat("a", 5000), "a\x00b\xff"} {
		out := truncate(in)
		if len(out) > MaxLoggedBody || !utf8.ValidString(out) || strings.ContainsRune(out, 0) {
			t.Errorf("truncate(%.20q...) = %d bytes, valid %v", in, len(out), utf8.ValidString(out))
		}
	}
}
