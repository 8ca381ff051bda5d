package config_test

import (
	"testing"
	"time"

	"forma.dev/backend/internal/config"
)

func TestLoadReadsWebhookSettings(t *testing.T) {
	t.Parallel()
	c, err := config.Load(env(map[string]string{"FORMA_WEBHOOK_WORKERS": "8", "FORMA_WEBHOOK_RETENTION": "48h"}))
	if err != nil || c.WebhookWorkers != 8 || c.WebhookRetention != 48*time.Hour {
		t.Fatalf("Load = %+v, %v", c, err)
	}
	for _, bad := range []map[string]string{
		{"FORMA_WEBHOOK_WORKERS": "0"}, {"FORMA_WEBHOOK_WORKERS": "many"},
		{"FORMA_WEBHOOK_RETENTION": "10s"}, {"FORMA_WEBHOOK_RETENTION": "week"},
	} {
		if _, err := config.Load(env(bad)); err == nil {
			t.Errorf("Load accepted %v", bad)
		}
	}
}
