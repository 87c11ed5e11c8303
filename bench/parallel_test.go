package bench

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// Goroutines is how many goroutines share one client in the parallel
// benchmark.
const Goroutines = 64

// BenchmarkParallelGetBounce runs GetBounce from 64 goroutines sharing one
// client, with every mutex contention event recorded
// (runtime.SetMutexProfileFraction(1)). Besides the usual figures it
// reports, from the mutex profile of the timed part:
//
//   - sdk-lock-stacks: contended stacks whose lock was released by SDK code
//     (the innermost frame outside sync and runtime is the SDK's): a lock of
//     the SDK's own on the request path. The target is 0.
//   - sdk-pool-stacks: contended stacks of sync.Pool's process-wide lock,
//     which a pool takes on its first Get or Put on a P after each GC cycle
//     (sync.(*Pool).pinSlow), reached from the SDK's read-buffer pool: a lock
//     of sync.Pool's, taken once per GC cycle and P, not per request.
//   - sdk-frame-stacks: contended stacks with an SDK frame anywhere, such as
//     net/http's connection-pool lock taken inside http.Client.Do called by
//     the SDK; the baseline and the official SDK have the same ones (with
//     their own frames).
//   - contentions/op and mutex-wait-ns/op: all contention, whoever's lock.
//
// Set BENCH_MUTEX_OWNERS=1 to print who released the contended locks.
func BenchmarkParallelGetBounce(b *testing.B) {
	e := getEnv(b)
	b.Run("client=baseline", func(b *testing.B) {
		parallel(b, func() error {
			_, err := e.baseline.GetBounce(bg, Domain, BounceAddress)
			return err
		})
	})
	b.Run("client=sdk", func(b *testing.B) {
		parallel(b, func() error {
			_, err := e.sdk.Bounces.Get(bg, Domain, BounceAddress)
			return err
		})
	})
	b.Run("client=official", func(b *testing.B) {
		parallel(b, func() error {
			_, err := e.official.GetBounce(bg, BounceAddress)
			return err
		})
	})
}

func parallel(b *testing.B, fn func() error) {
	b.Helper()
	if err := fn(); err != nil {
		b.Fatal(err)
	}
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((Goroutines + procs - 1) / procs)
	b.ReportAllocs()
	prev := runtime.SetMutexProfileFraction(1)
	defer runtime.SetMutexProfileFraction(prev)
	before := TakeMutexSnapshot()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := fn(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	rep := MutexDiff(before, TakeMutexSnapshot())
	b.ReportMetric(float64(rep.SDKLockStacks), "sdk-lock-stacks")
	b.ReportMetric(float64(rep.SDKPoolStacks), "sdk-pool-stacks")
	b.ReportMetric(float64(rep.SDKFrameStacks), "sdk-frame-stacks")
	b.ReportMetric(float64(rep.Contentions)/float64(b.N), "contentions/op")
	b.ReportMetric(float64(rep.Delay.Nanoseconds())/float64(b.N), "mutex-wait-ns/op")
	for _, s := range rep.SDKStacks {
		b.Logf("contended lock released by SDK code:\n\t%s", s)
	}
	if os.Getenv("BENCH_MUTEX_OWNERS") != "" {
		b.Logf("contention by releasing function:\n%s", formatOwners(rep.Owners))
	}
}

func formatOwners(owners map[string]int64) string {
	var lines []string
	for fn, n := range owners {
		lines = append(lines, fmt.Sprintf("\t%8d  %s", n, fn))
	}
	slices.Sort(lines)
	slices.Reverse(lines)
	return strings.Join(lines, "\n")
}
