package mailguntest

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// Clock is a time source that moves only when a test moves it, and runs
// the fake's scheduled actions (deliveries, delivery retries, webhook
// deliveries and their retries, scheduled sends) as it passes their time.
// Give it to a server with WithManualClock. Its methods are safe for
// concurrent use; one Clock may drive several servers.
//
//	clock := mailguntest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
//	srv := mailguntest.NewServer(t, mailguntest.WithManualClock(clock))
//	// ... send ...
//	clock.Advance(time.Second) // delivers, and POSTs the webhooks, before it returns
type Clock struct {
	run  sync.Mutex     // held while Set runs actions, so they run in order
	busy sync.WaitGroup // goroutines the running action started (spawn)

	mu    sync.Mutex
	now   time.Time
	tasks taskQueue
}

// NewClock returns a clock that reads t until it is moved.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time. Pass it to mailgun.WithVerifyClock so
// webhook handlers accept the fake's signatures.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d and runs every action due by then,
// oldest first, each at its own time (Now reads the action's due time
// while it runs). Actions scheduled while it runs also run if they fall
// due by then. Advance(0) runs what is due now. It returns once they have
// all run, webhook POSTs included; an action must not call Advance or Set.
// A negative d moves the clock back and runs nothing.
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Set moves the clock to t and runs what falls due, as Advance does. A t
// before Now moves the clock back and runs nothing.
func (c *Clock) Set(t time.Time) {
	c.run.Lock()
	defer c.run.Unlock()
	for {
		c.mu.Lock()
		task, ok := c.tasks.popDue(t)
		if !ok {
			c.now = t
			c.mu.Unlock()
			return
		}
		if task.at.After(c.now) {
			c.now = task.at
		}
		c.mu.Unlock()
		task.run()
		c.busy.Wait() // its webhook POSTs end before the next action
	}
}

// Next returns when the next scheduled action falls due; ok is false when
// nothing is scheduled.
func (c *Clock) Next() (at time.Time, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.tasks.items) == 0 {
		return time.Time{}, false
	}
	return c.tasks.items[0].at, true
}

func (c *Clock) schedule(at time.Time, run func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tasks.push(at, run)
}

// spawn runs f on a goroutine of its own; Set waits for it before the
// next action, so Advance returns after it. Only actions call it.
func (c *Clock) spawn(f func()) {
	c.busy.Add(1)
	go func() {
		defer c.busy.Done()
		f()
	}()
}

// task is an action due at a time; seq keeps actions of equal time in the
// order they were scheduled.
type task struct {
	at  time.Time
	seq uint64
	run func()
}

// taskQueue is a min-heap of tasks by (at, seq).
type taskQueue struct {
	items []task
	seq   uint64
}

func (q *taskQueue) Len() int { return len(q.items) }
func (q *taskQueue) Less(i, j int) bool {
	a, b := &q.items[i], &q.items[j]
	if !a.at.Equal(b.at) {
		return a.at.Before(b.at)
	}
	return a.seq < b.seq
}
func (q *taskQueue) Swap(i, j int) { q.items[i], q.items[j] = q.items[j], q.items[i] }
func (q *taskQueue) Push(x any)    { q.items = append(q.items, x.(task)) }
func (q *taskQueue) Pop() any {
	last := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return last
}

func (q *taskQueue) push(at time.Time, run func()) {
	q.seq++
	heap.Push(q, task{at: at, seq: q.seq, run: run})
}

// popDue removes and returns the earliest task due at or before t.
func (q *taskQueue) popDue(t time.Time) (task, bool) {
	if len(q.items) == 0 || q.items[0].at.After(t) {
		return task{}, false
	}
	return heap.Pop(q).(task), true
}

// scheduler runs the server's delayed actions by its clock.
type scheduler interface {
	schedule(at time.Time, run func())
	// spawn runs f, called by an action, on a goroutine of its own.
	spawn(f func())
}

// pollInterval is how often a server whose clock is a plain function
// (WithClock) checks whether its next action fell due: it cannot know when
// that function's time moves.
const pollInterval = 5 * time.Millisecond

// realScheduler runs actions on one goroutine, started at the first
// schedule and stopped by close. With the wall clock it sleeps until the
// next action; with another clock function it polls. What an action
// spawns (a webhook POST) runs beside it and holds up no other action.
type realScheduler struct {
	now  func() time.Time
	wall bool // now is time.Now

	mu      sync.Mutex
	tasks   taskQueue
	started bool
	closed  bool
	wake    chan struct{}
	done    chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
}

func newRealScheduler(now func() time.Time, wall bool) *realScheduler {
	ctx, cancel := context.WithCancel(context.Background())
	return &realScheduler{now: now, wall: wall, wake: make(chan struct{}, 1), done: make(chan struct{}), ctx: ctx, cancel: cancel}
}

func (r *realScheduler) schedule(at time.Time, run func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.tasks.push(at, run)
	if !r.started {
		r.started = true
		go r.loop()
	}
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *realScheduler) spawn(f func()) { go f() }

func (r *realScheduler) loop() {
	defer close(r.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		now := r.now() // outside r.mu: a clock function may take locks of its own
		r.mu.Lock()
		t, due := r.tasks.popDue(now)
		var wait time.Duration
		switch {
		case due:
		case len(r.tasks.items) == 0:
			wait = time.Hour
		case r.wall:
			wait = r.tasks.items[0].at.Sub(now)
		default:
			wait = pollInterval
		}
		r.mu.Unlock()
		if r.ctx.Err() != nil {
			return
		}
		if due {
			t.run()
			continue
		}
		timer.Reset(wait)
		select {
		case <-r.ctx.Done():
			return
		case <-r.wake:
		case <-timer.C:
		}
	}
}

// close stops the goroutine, cancelling an action in flight through ctx,
// and waits for it; pending actions are dropped.
func (r *realScheduler) close() {
	r.mu.Lock()
	r.closed = true
	started := r.started
	r.mu.Unlock()
	r.cancel()
	if started {
		<-r.done
	}
}
