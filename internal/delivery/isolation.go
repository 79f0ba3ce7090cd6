package delivery

import (
	"sync"
	"time"
)

// Isolation: a target (one configured service of one project) may run only
// so many attempts at once on a node. Its other deliveries wait in the queue,
// snoozed, holding no worker, so that a target that hangs cannot take the
// workers every other target needs.
//
// The limit adapts as TCP's window does: a target starts at
// targetStartLimit attempts at once, gains one per success up to the
// configured most, and halves (not below targetStartLimit) on each failed
// attempt. A target that answers, however slowly, gets the concurrency its
// latency needs; one that hangs or fails from the start holds at most
// targetStartLimit workers, and one that turns bad loses its share within a
// few failures (and its circuit opens, see circuit.go).
const (
	targetStartLimit = 16
	// Waits are spread over the target's expected pace, within these bounds.
	minLimitWait = 20 * time.Millisecond
	maxLimitWait = 5 * time.Second
	// A target with nothing running for this long is forgotten.
	idleTarget = 5 * time.Minute
)

// targetKey names a target.
type targetKey struct {
	project int64
	service string
}

// limiter counts the attempts running per target on this node.
type limiter struct {
	max int

	mu      sync.Mutex
	targets map[targetKey]*slots
	running int // all targets
	swept   time.Time
}

type slots struct {
	running int
	limit   int
	avg     time.Duration // moving average of an attempt's time
	// lastDone is when an attempt last ended, or the busy spell began: a
	// target that has finished nothing for a while is at least that slow.
	lastDone time.Time
	next     time.Time // the turn given to the last delivery told to wait
	idle     time.Time // when running last fell to 0
}

func newLimiter(most int) *limiter {
	if most <= 0 {
		most = 200
	}
	return &limiter{max: most, targets: map[targetKey]*slots{}}
}

// acquire takes a slot of the target, or says how long to wait for one:
// waiting deliveries get successive turns at the target's pace (its
// average attempt time over its limit), so they come back in the order
// they were turned away and about when a slot frees.
func (l *limiter) acquire(k targetKey, now time.Time) (wait time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.targets[k]
	if s == nil {
		s = &slots{limit: min(targetStartLimit, l.max)}
		l.targets[k] = s
	}
	if s.running < s.limit {
		if s.running == 0 {
			s.lastDone = now
		}
		s.running++
		l.running++
		return 0, true
	}
	step := max(s.avg, now.Sub(s.lastDone), time.Millisecond) / time.Duration(s.limit)
	if s.next.Before(now) {
		s.next = now
	}
	s.next = s.next.Add(step)
	if last := now.Add(maxLimitWait); s.next.After(last) {
		s.next = last
	}
	return max(s.next.Sub(now), minLimitWait), false
}

// release gives the slot back with the attempt's time and whether it
// failed (for the target's limit).
func (l *limiter) release(k targetKey, took time.Duration, failed bool, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.targets[k]
	if s == nil {
		return
	}
	s.running--
	l.running--
	s.lastDone = now
	if s.avg == 0 {
		s.avg = took
	} else {
		s.avg += (took - s.avg) / 8
	}
	switch {
	case failed:
		s.limit = max(min(targetStartLimit, l.max), s.limit/2)
	case s.limit < l.max:
		s.limit++
	}
	if s.running == 0 {
		s.idle = now
	}
	if now.Sub(l.swept) > idleTarget {
		l.swept = now
		for key, t := range l.targets {
			if t.running == 0 && now.Sub(t.idle) > idleTarget {
				delete(l.targets, key)
			}
		}
	}
}

// inFlight is the number of attempts running on this node.
func (l *limiter) inFlight() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.running
}
