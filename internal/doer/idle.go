package doer

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// IdleTimeoutError ends an attempt that made no progress for the idle
// bound: no byte of the request body was taken by the transport and no
// byte of the response arrived. It is a timeout (Timeout reports true)
// and matches context.DeadlineExceeded, like an attempt timeout.
type IdleTimeoutError struct{ Idle time.Duration }

// Error says how long the attempt made no progress.
func (e *IdleTimeoutError) Error() string {
	return fmt.Sprintf("no progress for %v (idle timeout)", e.Idle)
}

// Timeout reports true, as net errors for timeouts do.
func (e *IdleTimeoutError) Timeout() bool { return true }

// Is makes errors.Is(err, context.DeadlineExceeded) hold.
func (e *IdleTimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// idleWatch cancels an attempt's context once it has made no progress for
// limit. Progress is recorded with one atomic store; the timer re-arms
// itself for the time left instead of being reset on every read.
type idleWatch struct {
	limit  time.Duration
	cancel context.CancelCauseFunc
	start  time.Time
	last   atomic.Int64 // time since start of the last progress, in ns
	fired  atomic.Bool

	mu      sync.Mutex // guards timer and stopped against check
	timer   *time.Timer
	stopped bool

	// The first two readers wrapped live here, saving an allocation each.
	readers [2]progressReader
	used    int
}

// watchIdle returns a context derived from ctx that is cancelled, with an
// *IdleTimeoutError as its cause, when the returned watch sees no progress
// for limit. The caller must call stop.
func watchIdle(ctx context.Context, limit time.Duration) (context.Context, *idleWatch) {
	actx, cancel := context.WithCancelCause(ctx)
	w := &idleWatch{limit: limit, cancel: cancel, start: time.Now()}
	w.mu.Lock()
	w.timer = time.AfterFunc(limit, w.check)
	w.mu.Unlock()
	return actx, w
}

// progress records that the attempt moved; a nil watch ignores it.
func (w *idleWatch) progress() {
	if w != nil {
		w.last.Store(int64(time.Since(w.start)))
	}
}

func (w *idleWatch) check() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	if idle := time.Since(w.start) - time.Duration(w.last.Load()); idle < w.limit {
		w.timer.Reset(w.limit - idle)
		return
	}
	w.fired.Store(true)
	w.cancel(&IdleTimeoutError{Idle: w.limit})
}

// reader returns rc recording progress on w; rc itself when w is nil. Only
// the attempt's own goroutine may call it; see extraReader.
func (w *idleWatch) reader(rc io.ReadCloser) io.ReadCloser {
	if w == nil {
		return rc
	}
	if w.used < len(w.readers) {
		p := &w.readers[w.used]
		w.used++
		p.rc, p.w = rc, w
		return p
	}
	return w.extraReader(rc)
}

// extraReader is reader for any goroutine (a transport calling GetBody).
func (w *idleWatch) extraReader(rc io.ReadCloser) io.ReadCloser {
	if w == nil {
		return rc
	}
	return &progressReader{rc: rc, w: w}
}

// expired reports whether the watch ended the attempt.
func (w *idleWatch) expired() bool { return w != nil && w.fired.Load() }

func (w *idleWatch) stop() {
	w.mu.Lock()
	w.stopped = true
	w.timer.Stop()
	w.mu.Unlock()
	w.cancel(nil)
}

// progressReader records progress on w for every read that returns bytes.
type progressReader struct {
	rc io.ReadCloser
	w  *idleWatch
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.rc.Read(b)
	if n > 0 {
		p.w.progress()
	}
	return n, err
}

func (p *progressReader) Close() error { return p.rc.Close() }
