//go:build !unix

package tokens

// processCPU is not measured on this platform; benchmarks then report 0 cpu-ns/op.
func processCPU() int64 { return 0 }
