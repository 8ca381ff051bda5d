package registry

import (
	"context"
	"time"
)

// OnDrop sets a function called (under the registry's lock) whenever a notice drops an
// entry; set it before Start.
func OnDrop(r *Registry, f func(tenant int64)) { r.onDrop = f }

// SetClock makes the registry read the time from now; set it before the first Get.
func SetClock(r *Registry, now func() time.Time) { r.now = now }

// SweepOnce runs one sweep of the versions of the entries in use, now.
func SweepOnce(r *Registry) { r.sweepOnce(context.Background()) }
