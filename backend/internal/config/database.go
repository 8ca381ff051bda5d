package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultDatabaseLanes is the default FORMA_DATABASE_LANES: 4 lanes (measured in
// docs/benchmarks-tenants.md, "After: connection lanes").
const DefaultDatabaseLanes = 4

// MaxDatabaseLanes bounds FORMA_DATABASE_LANES: a lane needs a connection of its own.
const MaxDatabaseLanes = 64

// loadDatabase reads FORMA_DATABASE_LANES and FORMA_DATABASE_LANE_WAIT: how many lanes
// of the pool's connections the tenants' statements are spread over (db.Lanes), and how
// long a statement waits for its lane before it takes a shared connection.
func (c *Config) loadDatabase(getenv func(string) string) error {
	c.DatabaseLanes = DefaultDatabaseLanes
	if v := strings.TrimSpace(getenv("FORMA_DATABASE_LANES")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxDatabaseLanes {
			return fmt.Errorf("FORMA_DATABASE_LANES must be a number of lanes from 1 (none) to %d, not %q", MaxDatabaseLanes, v)
		}
		c.DatabaseLanes = n
	}
	var err error
	c.DatabaseLaneWait, err = parseDuration(getenv, "FORMA_DATABASE_LANE_WAIT", 2*time.Millisecond)
	if err == nil && c.DatabaseLaneWait == 0 {
		err = fmt.Errorf("FORMA_DATABASE_LANE_WAIT must be more than 0")
	}
	return err
}
