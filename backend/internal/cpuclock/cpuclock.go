// Package cpuclock reports a benchmark's own CPU time per operation: on a shared machine
// a benchmark's wall time includes waiting for Postgres and for other work, the
// process's CPU time much less so.
package cpuclock

import (
	"syscall"
	"testing"
	"time"
)

// Report reports allocations and this process's CPU time (user and system) per
// operation as "cpu-ns/op". Use it as defer cpuclock.Report(b)().
func Report(b *testing.B) func() {
	b.ReportAllocs()
	start := Used()
	return func() { b.ReportMetric(float64(Used()-start)/float64(b.N), "cpu-ns/op") }
}

// Used is the user and system CPU time this process has used so far.
func Used() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
