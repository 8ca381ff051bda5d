package webhooks_test

import (
	"context"
	"strings"
	"testing"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/webhooks"
	"forma.dev/shared/problem"
)

// Invalid UTF-8 in any free text of a webhook is a validation problem naming the
// member, not a database error.
func TestInvalidUTF8IsRefused(t *testing.T) {
	t.Parallel()
	s := newStack(t, fast())
	ctx := context.Background()
	url, events, bad := "https://example.com/", []string{webhooks.RecordCreated}, "caf\xe9"
	badURL := url + bad
	for name, in := range map[string]webhooks.Input{
		"description": {URL: &url, Events: &events, Description: &bad},
		"url":         {URL: &badURL, Events: &events},
		"events[0]":   {URL: &url, Events: &[]string{bad}},
		"models[0]":   {URL: &url, Events: &events, Models: &[]string{bad}},
	} {
		_, err := s.hooks.Create(ctx, s.tenant.ID, in)
		e := apperr.As(err)
		if e == nil || e.Code != apperr.Invalid || len(e.Problems) != 1 || e.Problems[0].Path != name ||
			e.Problems[0].Code != problem.InvalidFormat {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A URL with credentials stored before they were refused is shown with its password
// hidden.
func TestStoredCredentialsAreNotShown(t *testing.T) {
	t.Parallel()
	s := newStack(t, fast())
	ctx := context.Background()
	if _, err := s.db.ExecContext(ctx, `INSERT INTO forma.webhook_subscriptions (tenant_id, url, events, secret)
		VALUES (?, 'https://alice:s3cret@example.com/hook', '{record.created}', 'whsec_x')`, s.tenant.ID); err != nil {
		t.Fatal(err)
	}
	subs, err := s.hooks.List(ctx, s.tenant.ID)
	if err != nil || len(subs) != 1 || strings.Contains(subs[0].URL, "s3cret") {
		t.Fatalf("List = %+v, %v", subs, err)
	}
}
