package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Webhook defaults.
const (
	DefaultWebhookWorkers   = 4                  // FORMA_WEBHOOK_WORKERS
	DefaultWebhookRetention = 7 * 24 * time.Hour // FORMA_WEBHOOK_RETENTION
)

// loadWebhooks reads FORMA_WEBHOOK_WORKERS and FORMA_WEBHOOK_RETENTION
// (FORMA_WEBHOOK_ALLOW_PRIVATE is read with the others).
func (c *Config) loadWebhooks(getenv func(string) string) error {
	c.WebhookWorkers = DefaultWebhookWorkers
	if v := strings.TrimSpace(getenv("FORMA_WEBHOOK_WORKERS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 256 {
			return fmt.Errorf("FORMA_WEBHOOK_WORKERS must be a number from 1 to 256, not %q", v)
		}
		c.WebhookWorkers = n
	}
	var err error
	c.WebhookRetention, err = parseDuration(getenv, "FORMA_WEBHOOK_RETENTION", DefaultWebhookRetention)
	if err == nil && c.WebhookRetention < time.Minute {
		err = fmt.Errorf("FORMA_WEBHOOK_RETENTION must be at least 1m, not %s", c.WebhookRetention)
	}
	return err
}
