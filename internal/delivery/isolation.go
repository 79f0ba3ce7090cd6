package delivery

import (
	"slices"
	"sync"
	"time"
)

// Isolation: a target (one configured service of one project) may run only
// so many attempts at once on a node. A delivery whose target is at its
// limit waits for a slot: in the process, in line (at most as many as its
// limit, for at most holdWait), when the target has been finishing
// attempts; else back in the queue, snoozed, holding no worker, for about
// one attempt time of the target (when its slots next free). So a target
// that hangs (it finishes nothing) cannot hold the workers every other
// target needs, while a busy healthy one does not pay a trip through the
// queue for each delivery.
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
	// holdWait is the longest a delivery waits for its target in the
	// process, holding its worker; a longer wait is taken in the queue.
	holdWait = time.Second
	// Waits in the queue are within these bounds.
	minLimitWait = 20 * time.Millisecond
	maxLimitWait = 5 * time.Second
	// A target's attempt time is taken as at least this until one ends.
	firstGuess = 50 * time.Millisecond
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
	waiters  []chan struct{} // in line in the process, first first
	next     time.Time       // the turn given to the last delivery sent to the queue
	idle     time.Time       // when running last fell to 0
}

func newLimiter(most int) *limiter {
	if most <= 0 {
		most = 200
	}
	return &limiter{max: most, targets: map[targetKey]*slots{}}
}

// ticket is the answer of acquire: a slot now (ok), a place in line
// (turn, closed when the slot is handed over), or a wait in the queue.
type ticket struct {
	ok   bool
	turn chan struct{}
	wait time.Duration
}

// acquire takes a slot of the target, or a place in line, or says how long
// to wait in the queue (later).
func (l *limiter) acquire(k targetKey, now time.Time) ticket {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.targets[k]
	if s == nil {
		s = &slots{limit: min(targetStartLimit, l.max)}
		l.targets[k] = s
	}
	if s.running < s.limit && len(s.waiters) == 0 {
		if s.running == 0 {
			s.lastDone = now
		}
		s.running++
		l.running++
		return ticket{ok: true}
	}
	// In line here if the target has been finishing attempts and the line
	// is no longer than its limit (so a target holds at most twice its
	// limit in workers, running and in line, and one that hangs from the
	// start twice targetStartLimit, for holdWait).
	if len(s.waiters) < s.limit && now.Sub(s.lastDone) < holdWait {
		turn := make(chan struct{})
		s.waiters = append(s.waiters, turn)
		return ticket{turn: turn}
	}
	return ticket{wait: l.later(s, now)}
}

// queueWait is the wait in the queue of a delivery that waited in line for
// holdWait in vain.
func (l *limiter) queueWait(k targetKey, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := l.targets[k]; s != nil {
		return l.later(s, now)
	}
	return minLimitWait
}

// later gives the next turn in the queue: one attempt time of the target
// from now (when the slots taken now free), spread over the attempt time
// after it at the target's rate (limit per attempt time), so that the
// deliveries sent to the queue together come back in the order they were
// turned away, and not all at once. Turns are never given further ahead:
// a delivery that comes back to a target still full is sent back again,
// and the limit may have grown meanwhile (a target whose turns ran ahead
// of it would leave its slots idle while its deliveries sat in the
// queue). l.mu is held.
func (l *limiter) later(s *slots, now time.Time) time.Duration {
	took := max(s.avg, now.Sub(s.lastDone), firstGuess)
	first, step := now.Add(took), took/time.Duration(s.limit)
	if s.next.Before(first) || s.next.Add(step).After(first.Add(took)) {
		s.next = first
	}
	s.next = s.next.Add(step)
	return min(max(s.next.Sub(now), minLimitWait), maxLimitWait)
}

// handOver gives free slots to the deliveries in line. l.mu is held.
func (l *limiter) handOver(s *slots) {
	for len(s.waiters) > 0 && s.running < s.limit {
		close(s.waiters[0])
		s.waiters = s.waiters[1:]
		s.running++
		l.running++
	}
}

// leave takes a delivery out of the line (its context ended). If the slot
// was handed over meanwhile, it is released.
func (l *limiter) leave(k targetKey, turn chan struct{}, now time.Time) {
	l.mu.Lock()
	s := l.targets[k]
	if s != nil {
		if i := slices.Index(s.waiters, turn); i >= 0 {
			s.waiters = slices.Delete(s.waiters, i, i+1)
			l.mu.Unlock()
			return
		}
	}
	l.mu.Unlock()
	l.release(k, 0, false, now)
}

// release gives the slot back with the attempt's time and whether it
// failed (for the target's limit); took 0 is no attempt.
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
	if took > 0 {
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
	}
	l.handOver(s)
	if s.running == 0 {
		s.idle = now
	}
	if now.Sub(l.swept) > idleTarget {
		l.swept = now
		for key, t := range l.targets {
			if t.running == 0 && len(t.waiters) == 0 && now.Sub(t.idle) > idleTarget {
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
