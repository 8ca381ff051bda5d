package config_test

import (
	"testing"
	"time"

	"forma.dev/backend/internal/config"
)

func TestChangesSettings(t *testing.T) {
	t.Parallel()
	c, err := config.Load(env(map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Changes{Retention: time.Hour, Heartbeat: 15 * time.Second, Buffer: 1000, MaxStreams: 10000, MaxStreamsPerTenant: 100}
	if c.Changes != want {
		t.Fatalf("defaults %+v, want %+v", c.Changes, want)
	}
	c, err = config.Load(env(map[string]string{"FORMA_CHANGES_RETENTION": "10m", "FORMA_CHANGES_HEARTBEAT": "5s",
		"FORMA_CHANGES_BUFFER": "50", "FORMA_CHANGES_MAX_STREAMS": "20", "FORMA_CHANGES_MAX_STREAMS_PER_TENANT": "3"}))
	want = config.Changes{Retention: 10 * time.Minute, Heartbeat: 5 * time.Second, Buffer: 50, MaxStreams: 20, MaxStreamsPerTenant: 3}
	if err != nil || c.Changes != want {
		t.Fatalf("got %+v, %v; want %+v", c.Changes, err, want)
	}
	for _, bad := range []map[string]string{
		{"FORMA_CHANGES_RETENTION": "30s"}, {"FORMA_CHANGES_RETENTION": "x"},
		{"FORMA_CHANGES_HEARTBEAT": "10ms"}, {"FORMA_CHANGES_BUFFER": "0"}, {"FORMA_CHANGES_MAX_STREAMS": "-1"},
		{"FORMA_CHANGES_MAX_STREAMS_PER_TENANT": "many"},
	} {
		if _, err := config.Load(env(bad)); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}
