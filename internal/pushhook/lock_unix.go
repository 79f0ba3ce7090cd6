//go:build unix

package pushhook

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// lock takes the spool's lock, so that two hooks running at once (two
// pushes) send the spool one after the other, in order. It waits until
// ctx ends; the lock goes with the process if it dies.
func (s Spool) lock(ctx context.Context) (unlock func(), err error) {
	if err := os.MkdirAll(s.Dir, 0o777); err != nil {
		return nil, err
	}
	// Read-only is enough for flock, and lets any account that pushes
	// take the lock another created.
	f, err := os.OpenFile(filepath.Join(s.Dir, ".lock"), os.O_CREATE|os.O_RDONLY, 0o666)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, err
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, errors.New("another hook is sending the spool")
		case <-time.After(20 * time.Millisecond):
		}
	}
}
