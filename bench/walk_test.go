package bench

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	official "github.com/mailgun/mailgun-go/v4"
	"github.com/mgkit/mailgun"
)

// WalkPageSize is the page size of the bounce walks, the API's maximum.
const WalkPageSize = 1000

// walkSizes are the list lengths walked; the peak live heap of the longer
// walk is compared with that of the shorter one.
var walkSizes = []int{10_000, 100_000}

// BenchmarkWalkBounces walks a whole generated bounce list through each
// client's iterator, reporting throughput (bounces/s, ns/op per walk) and
// the peak live heap of untimed walks of 100,000 bounces in all
// (peak-live-B), sampled from runtime/metrics while the GC runs often
// (gc-cycles says how many cycles ended during them).
func BenchmarkWalkBounces(b *testing.B) {
	e := getEnv(b)
	for _, n := range walkSizes {
		domain := WalkDomain(n)
		mg := NewOfficial(e.hc, e.srv.URL, domain)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.Run("client=baseline", func(b *testing.B) {
				walk(b, n, func() (int, int, error) {
					count, size := 0, 0
					for bnc, err := range e.baseline.Bounces(bg, domain, WalkPageSize) {
						if err != nil {
							return count, size, err
						}
						count++
						size += len(bnc.Address)
					}
					return count, size, nil
				})
			})
			b.Run("client=sdk", func(b *testing.B) {
				walk(b, n, func() (int, int, error) {
					count, size := 0, 0
					for bnc, err := range e.sdk.Bounces.List(bg, domain, &mailgun.ListOptions{Limit: WalkPageSize}) {
						if err != nil {
							return count, size, err
						}
						count++
						size += len(bnc.Address)
					}
					return count, size, nil
				})
			})
			b.Run("client=official", func(b *testing.B) {
				walk(b, n, func() (int, int, error) {
					count, size := 0, 0
					it := mg.ListBounces(&official.ListOptions{Limit: WalkPageSize})
					var page []official.Bounce
					for it.Next(bg, &page) {
						for _, bnc := range page {
							count++
							size += len(bnc.Address)
						}
					}
					return count, size, it.Err()
				})
			})
		})
	}
}

// walk times fn, which walks the n-entry list and returns how many entries
// it saw and their total address length.
func walk(b *testing.B, n int, fn func() (count, size int, err error)) {
	b.Helper()
	// Start from one warm connection: the idle connections (and their
	// buffers) of earlier benchmarks would count in the live heap until
	// they time out.
	getEnv(b).hc.CloseIdleConnections()
	if _, err := getEnv(b).baseline.GetBounce(bg, Domain, BounceAddress); err != nil {
		b.Fatal(err)
	}
	wantSize := n * len(BounceAt(0))
	check := func() {
		count, size, err := fn()
		if err != nil {
			b.Fatal(err)
		}
		if count != n || size != wantSize {
			b.Fatalf("walked %d bounces (%d address bytes), want %d (%d)", count, size, n, wantSize)
		}
	}
	b.ReportAllocs()
	walks := 0
	for b.Loop() {
		check()
		walks++
	}
	b.ReportMetric(float64(walks*n)/b.Elapsed().Seconds(), "bounces/s")

	// The peak live heap, from more walks outside the timed loop, with
	// the GC running often (GOGC=heapGOGC) so that its cycles end at every
	// stage of a page: fetching, decoding, yielding. Every size walks
	// heapWalkItems bounces in all (ten walks of 10,000, one of 100,000),
	// so that both peaks are the largest of about as many GC cycles.
	old := debug.SetGCPercent(heapGOGC)
	runtime.GC()
	sampler := StartHeapSampler(200 * time.Microsecond)
	for range max(heapWalkItems/n, 1) {
		check()
	}
	peak, cycles := sampler.Stop()
	debug.SetGCPercent(old)
	b.ReportMetric(float64(peak), "peak-live-B")
	b.ReportMetric(float64(cycles), "gc-cycles")
}

// heapWalkItems is how many bounces the heap-measuring walks go through.
const heapWalkItems = 100_000

// heapGOGC is the GOGC of the heap-measuring walk.
const heapGOGC = 10
