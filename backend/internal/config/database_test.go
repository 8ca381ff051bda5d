package config_test

import (
	"strings"
	"testing"
	"time"

	"forma.dev/backend/internal/config"
)

func TestDatabaseLanes(t *testing.T) {
	t.Parallel()
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseLanes != config.DefaultDatabaseLanes || c.DatabaseLaneWait != 2*time.Millisecond {
		t.Errorf("defaults: %d lanes, wait %v", c.DatabaseLanes, c.DatabaseLaneWait)
	}
	c, err = config.Load(env(map[string]string{"FORMA_DATABASE_LANES": "8", "FORMA_DATABASE_LANE_WAIT": "5ms"}))
	if err != nil || c.DatabaseLanes != 8 || c.DatabaseLaneWait != 5*time.Millisecond {
		t.Errorf("8 lanes, 5ms: %d, %v, %v", c.DatabaseLanes, c.DatabaseLaneWait, err)
	}
	for _, bad := range []map[string]string{
		{"FORMA_DATABASE_LANES": "0"}, {"FORMA_DATABASE_LANES": "65"}, {"FORMA_DATABASE_LANES": "four"},
		{"FORMA_DATABASE_LANE_WAIT": "0s"}, {"FORMA_DATABASE_LANE_WAIT": "2"},
	} {
		if _, err := config.Load(env(bad)); err == nil || !strings.Contains(err.Error(), "FORMA_DATABASE_LANE") {
			t.Errorf("%v: %v, want an error naming the variable", bad, err)
		}
	}
}
