//go:build unix

package tokens

import "syscall"

// processCPU returns the CPU time the process has used (user + system), in nanoseconds.
// Benchmarks report it per operation next to wall time: on a shared machine wall time
// includes waiting for a core, CPU time does not.
func processCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
