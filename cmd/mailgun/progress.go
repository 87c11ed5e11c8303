package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress shows long work on one line of stderr (items done, rate,
// elapsed), redrawn at most a few times a second. It writes nothing when
// stderr is not a terminal, so pipes and logs stay clean.
type progress struct {
	w       io.Writer
	enabled bool
	now     func() time.Time

	mu    sync.Mutex
	what  string
	n     int64
	start time.Time
	drawn time.Time
	shown bool
}

func newProgress(w io.Writer, tty bool) *progress {
	return &progress{w: w, enabled: tty, now: time.Now}
}

// add counts n more items of what ("bounces exported").
func (p *progress) add(what string, n int) {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.start.IsZero() {
		p.start = now
	}
	p.what = what
	p.n += int64(n)
	if now.Sub(p.drawn) >= 200*time.Millisecond {
		p.drawLocked(now)
	}
}

func (p *progress) drawLocked(now time.Time) {
	elapsed := now.Sub(p.start)
	rate := ""
	if s := elapsed.Seconds(); s > 0 {
		rate = fmt.Sprintf(", %.0f/s", float64(p.n)/s)
	}
	fmt.Fprintf(p.w, "\r\x1b[K%d %s%s, %s", p.n, p.what, rate, elapsed.Round(100*time.Millisecond))
	p.drawn, p.shown = now, true
}

// guard returns w, which clears the progress line before each write when
// one is shown: stdout and stderr are often the same terminal.
func (p *progress) guard(w io.Writer) io.Writer {
	if !p.enabled {
		return w
	}
	return guardedWriter{p: p, w: w}
}

type guardedWriter struct {
	p *progress
	w io.Writer
}

func (g guardedWriter) Write(b []byte) (int, error) {
	g.p.mu.Lock()
	if g.p.shown {
		fmt.Fprint(g.p.w, "\r\x1b[K")
		g.p.shown = false
		g.p.drawn = time.Time{} // redraw with the next count
	}
	g.p.mu.Unlock()
	return g.w.Write(b)
}

// done draws the final count and ends the line.
func (p *progress) done() {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.start.IsZero() {
		return
	}
	p.drawLocked(p.now())
	fmt.Fprintln(p.w)
}
