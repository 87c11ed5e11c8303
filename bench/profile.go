package bench

import (
	"bytes"
	"fmt"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"
)

// HeapSampler records the peak of the live heap (/gc/heap/live:bytes: the
// bytes the last GC cycle found reachable) while it runs. The value only
// changes when a GC cycle ends, so the peak is the largest live heap of
// the cycles that ended while sampling; GCCycles says how many those were.
type HeapSampler struct {
	stop    chan struct{}
	done    chan struct{}
	mu      sync.Mutex
	peak    uint64
	cycles0 uint64
	cycles  uint64
}

var heapMetrics = []string{"/gc/heap/live:bytes", "/gc/cycles/total:gc-cycles"}

// StartHeapSampler starts sampling every interval.
func StartHeapSampler(interval time.Duration) *HeapSampler {
	h := &HeapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	samples := make([]metrics.Sample, len(heapMetrics))
	for i, name := range heapMetrics {
		samples[i].Name = name
	}
	h.read(samples)
	h.cycles0 = h.cycles
	go func() {
		defer close(h.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				h.read(samples)
				return
			case <-t.C:
				h.read(samples)
			}
		}
	}()
	return h
}

func (h *HeapSampler) read(samples []metrics.Sample) {
	metrics.Read(samples)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.peak = max(h.peak, samples[0].Value.Uint64())
	h.cycles = samples[1].Value.Uint64()
}

// Stop ends sampling and returns the peak live heap and the number of GC
// cycles that ended since StartHeapSampler.
func (h *HeapSampler) Stop() (peakLive, gcCycles uint64) {
	close(h.stop)
	<-h.done
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.peak, h.cycles - h.cycles0
}

// MutexSnapshot is the mutex profile at one moment, by stack.
type MutexSnapshot map[string]runtime.BlockProfileRecord

// TakeMutexSnapshot reads the mutex profile (cumulative since the program
// started, for the contention events sampled while the profile fraction
// was above zero).
func TakeMutexSnapshot() MutexSnapshot {
	var recs []runtime.BlockProfileRecord
	n, _ := runtime.MutexProfile(nil)
	for {
		recs = make([]runtime.BlockProfileRecord, n+50)
		var ok bool
		if n, ok = runtime.MutexProfile(recs); ok {
			recs = recs[:n]
			break
		}
	}
	s := make(MutexSnapshot, len(recs))
	for _, r := range recs {
		s[fmt.Sprint(r.Stack())] = r
	}
	return s
}

// MutexReport classifies the contention between two snapshots.
type MutexReport struct {
	// Stacks counts distinct stacks that were contended in the window.
	Stacks int
	// Contentions and Delay add up the events and their wait.
	Contentions int64
	Delay       time.Duration
	// SDKLockStacks counts stacks whose contended lock is the SDK's own:
	// a sync lock or a channel whose release (the innermost frame outside
	// the sync and runtime packages) is SDK code. Runtime-internal locks
	// (the heap, GC, scheduler) reached from SDK code through an allocation
	// are not the SDK's, nor is sync.Pool's (see SDKPoolStacks).
	SDKLockStacks int
	// SDKPoolStacks counts stacks of sync.Pool's process-wide lock
	// (allPoolsMu), which a pool takes in Get or Put on the first use on a
	// P after each GC cycle (pinSlow), reached from an SDK sync.Pool. It is
	// sync.Pool's lock, taken per GC cycle rather than per request.
	SDKPoolStacks int
	// SDKFrameStacks counts stacks with an SDK frame anywhere, such as a
	// lock inside net/http's Transport reached from the SDK's call to
	// http.Client.Do.
	SDKFrameStacks int
	// Owners counts contention events by the function that released the
	// lock (the innermost frame outside sync and runtime).
	Owners map[string]int64
	// SDKStacks holds the stacks counted in SDKLockStacks, for the report.
	SDKStacks []string
}

// isSDKFunc reports whether fn (a runtime function name) is this SDK's code,
// not the benchmark's.
func isSDKFunc(fn string) bool {
	const mod = "github.com/mgkit/mailgun"
	rest, ok := strings.CutPrefix(fn, mod)
	if !ok || strings.HasPrefix(rest, "/bench") {
		return false
	}
	return strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, "/")
}

type lockKind int

const (
	syncLock    lockKind = iota // a sync.Mutex or RWMutex
	poolLock                    // sync.Pool's process-wide registration lock
	channelLock                 // a channel's lock
	runtimeLock                 // a lock of the runtime's own: allocation, GC, scheduler, timers
)

// classifyStack finds the function that released a contended lock (the
// innermost frame outside sync and runtime) and what kind of lock it was.
func classifyStack(pcs []uintptr) (owner string, kind lockKind, anySDK bool, stack []string) {
	frames := runtime.CallersFrames(pcs)
	sawSync, sawPool, sawChan := false, false, false
	for {
		f, more := frames.Next()
		fn := f.Function
		stack = append(stack, fn)
		if owner == "" {
			switch {
			case strings.HasPrefix(fn, "sync.(*Pool)."):
				sawPool = true
			case strings.HasPrefix(fn, "sync.") || strings.HasPrefix(fn, "internal/sync."):
				sawSync = true
			case strings.HasPrefix(fn, "runtime.chan") || strings.HasPrefix(fn, "runtime.closechan") ||
				strings.HasPrefix(fn, "runtime.selectgo"):
				sawChan = true
			}
			if !isLockMachinery(fn) {
				owner = fn
			}
		}
		if isSDKFunc(fn) {
			anySDK = true
		}
		if !more {
			break
		}
	}
	switch {
	case sawPool:
		kind = poolLock
	case sawSync:
		kind = syncLock
	case sawChan:
		kind = channelLock
	default:
		kind = runtimeLock
	}
	if owner == "" {
		owner = "(no caller)"
	}
	return owner, kind, anySDK, stack
}

// isLockMachinery reports whether fn belongs to the packages that implement
// locks (sync, internal/sync) or to the runtime.
func isLockMachinery(fn string) bool {
	for _, p := range []string{"sync.", "sync/atomic.", "internal/sync.", "runtime.", "internal/runtime/"} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// MutexDiff reports the contention recorded after before was taken.
func MutexDiff(before, after MutexSnapshot) MutexReport {
	rep := MutexReport{Owners: map[string]int64{}}
	for key, r := range after {
		count, cycles := r.Count, r.Cycles
		if old, ok := before[key]; ok {
			count -= old.Count
			cycles -= old.Cycles
		}
		if count <= 0 {
			continue
		}
		rep.Stacks++
		rep.Contentions += count
		rep.Delay += time.Duration(float64(cycles) / cyclesPerNanosecond())
		owner, kind, anySDK, stack := classifyStack(r.Stack())
		switch kind {
		case runtimeLock:
			owner = "(runtime lock) " + owner
		case poolLock:
			owner = "(sync.Pool registration) " + owner
		}
		rep.Owners[owner] += count
		if anySDK {
			rep.SDKFrameStacks++
		}
		if kind == poolLock && isSDKFunc(strings.TrimPrefix(owner, "(sync.Pool registration) ")) {
			rep.SDKPoolStacks++
		}
		if (kind == syncLock || kind == channelLock) && isSDKFunc(owner) {
			rep.SDKLockStacks++
			rep.SDKStacks = append(rep.SDKStacks, strings.Join(stack, "\n\t"))
		}
	}
	return rep
}

var cyclesPerNS = sync.OnceValue(func() float64 {
	// The mutex profile counts delay in CPU ticks; the runtime's rate is
	// printed in the header of the text profile.
	var b bytes.Buffer
	if err := pprof.Lookup("mutex").WriteTo(&b, 1); err == nil {
		for _, line := range strings.Split(b.String(), "\n") {
			if v, ok := strings.CutPrefix(line, "cycles/second="); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 {
					return f / 1e9
				}
			}
		}
	}
	return 1
})

func cyclesPerNanosecond() float64 { return cyclesPerNS() }
