package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Changes are the change streams' settings (docs/realtime.md).
type Changes struct {
	Retention           time.Duration // FORMA_CHANGES_RETENTION: how long a change can be resumed (default 1h, at least 1m)
	Heartbeat           time.Duration // FORMA_CHANGES_HEARTBEAT: a stream's keep-alive interval (default 15s)
	Buffer              int           // FORMA_CHANGES_BUFFER: events a stream may have unsent before it ends as too slow (default 1000)
	MaxStreams          int           // FORMA_CHANGES_MAX_STREAMS: streams per replica (default 10000; past it 503)
	MaxStreamsPerTenant int           // FORMA_CHANGES_MAX_STREAMS_PER_TENANT: one tenant's streams per replica (default 100; past it 429)
}

func init() {
	Vars = append(Vars, "FORMA_CHANGES_RETENTION", "FORMA_CHANGES_HEARTBEAT", "FORMA_CHANGES_BUFFER",
		"FORMA_CHANGES_MAX_STREAMS", "FORMA_CHANGES_MAX_STREAMS_PER_TENANT")
}

// loadChanges reads FORMA_CHANGES_*.
func (c *Config) loadChanges(getenv func(string) string) error {
	var err error
	ch := &c.Changes
	if ch.Retention, err = parseDuration(getenv, "FORMA_CHANGES_RETENTION", time.Hour); err != nil {
		return err
	}
	if ch.Retention < time.Minute {
		return fmt.Errorf("FORMA_CHANGES_RETENTION must be at least 1m, not %s", ch.Retention)
	}
	if ch.Heartbeat, err = parseDuration(getenv, "FORMA_CHANGES_HEARTBEAT", 15*time.Second); err != nil {
		return err
	}
	if ch.Heartbeat < time.Second {
		return fmt.Errorf("FORMA_CHANGES_HEARTBEAT must be at least 1s, not %s", ch.Heartbeat)
	}
	for _, n := range []struct {
		name     string
		dst      *int
		def, max int
	}{
		{"FORMA_CHANGES_BUFFER", &ch.Buffer, 1000, 1_000_000},
		{"FORMA_CHANGES_MAX_STREAMS", &ch.MaxStreams, 10_000, 1_000_000},
		{"FORMA_CHANGES_MAX_STREAMS_PER_TENANT", &ch.MaxStreamsPerTenant, 100, 1_000_000},
	} {
		*n.dst = n.def
		if v := strings.TrimSpace(getenv(n.name)); v != "" {
			i, err := strconv.Atoi(v)
			if err != nil || i < 1 || i > n.max {
				return fmt.Errorf("%s must be a number from 1 to %d, not %q", n.name, n.max, v)
			}
			*n.dst = i
		}
	}
	return nil
}
