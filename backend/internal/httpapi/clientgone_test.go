package httpapi_test

import (
	"context"
	"strings"
	"testing"
)

// TestAClientThatLeftIsCounted499: a data request whose client went away before its
// queries ran is written nothing and counted in /metrics as 499, not 500.
func TestAClientThatLeftIsCounted499(t *testing.T) {
	t.Parallel()
	s, acme := startWithEvents(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := s.Serve(s.Request("GET", "/api/v1/t/acme/data/event", acme.Read, "").WithContext(ctx))
	if rec.Code != 499 || rec.Body.Len() != 0 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	body := s.Do("GET", "/metrics", "", "").Body.String()
	if !strings.Contains(body, `status="499"} 1`) || strings.Contains(body, `status="500"`) {
		t.Fatalf("/metrics:\n%s", body)
	}
}
