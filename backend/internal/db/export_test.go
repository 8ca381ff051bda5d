package db

import "time"

// SetStatementsClock makes s read the time from now.
func SetStatementsClock(s *Statements, now func() time.Time) { s.now = now }

// LaneSizes is laneSizes.
func LaneSizes(total, lanes int) (shared, perLane, n int) { return laneSizes(total, lanes) }
