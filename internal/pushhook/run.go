package pushhook

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/glint-dev/glint/internal/gitpush"
)

// PostReceive is the hook run: it builds an event for each ref update in
// input, adds it to the spool, and sends the spool (older events first)
// within c's timeout. It never fails: what it cannot do it says in one
// line on warn, and what it could not send stays spooled for the next
// run or "glint hook flush".
func PostReceive(ctx context.Context, dir string, input io.Reader, pusher gitpush.Pusher, userAgent string, warn io.Writer) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		fmt.Fprintln(warn, "glint hook:", err)
		return
	}
	repo, err := Open(dir)
	if err != nil {
		fmt.Fprintln(warn, "glint hook:", err)
		return
	}
	c, err := ReadConfig(repo)
	if err == nil {
		err = c.Validate()
	}
	if err != nil {
		fmt.Fprintf(warn, "glint hook: %s is not set up (glint hook install): %v\n", dir, err)
		return
	}
	updates, errs := gitpush.ParseUpdates(input)
	for _, err := range errs {
		fmt.Fprintln(warn, "glint hook: skipped input", err)
	}
	sp := NewSpool(dir)
	b := gitpush.NewBuilder(repo, c.Settings(dir, pusher))
	var unspooled []Envelope // events the spool could not take: sent directly
	for _, u := range updates {
		ev, err := b.Build(ctx, u)
		if err == nil && ev == nil {
			continue // neither a branch nor a tag
		}
		var body []byte
		if err == nil {
			body, err = json.Marshal(ev.Payload)
		}
		if err != nil {
			fmt.Fprintf(warn, "glint hook: no event for %s: %v\n", u.Ref, err)
			continue
		}
		e := Envelope{Header: ev.Header, UUID: uuid.NewString(), Ref: u.Ref, Payload: body}
		if _, err := sp.Add(e); err != nil {
			fmt.Fprintf(warn, "glint hook: cannot spool the event of %s: %v\n", u.Ref, err)
			unspooled = append(unspooled, e)
		}
	}

	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	s := NewSender(c, userAgent)
	r := Flush(ctx, sp, s)
	for _, e := range unspooled {
		if err := s.Send(ctx, e); err != nil {
			fmt.Fprintf(warn, "glint hook: the event of %s is lost: %v\n", e.Ref, err)
		}
	}
	for _, p := range r.Problems {
		fmt.Fprintln(warn, "glint hook: set aside in", filepath.Join(sp.Dir, RejectedDir)+":", p)
	}
	if r.Left > 0 {
		fmt.Fprintf(warn, "glint hook: %d event(s) spooled in %s, sent on the next push or by \"glint hook flush\": %v\n", r.Left, sp.Dir, r.Err)
	}
}

// FlushRepo sends the spool of the repository at dir with its settings,
// within timeout (0: the repository's glint.timeout).
func FlushRepo(ctx context.Context, dir string, timeout time.Duration, userAgent string) (Result, error) {
	repo, err := Open(dir)
	if err != nil {
		return Result{}, err
	}
	c, err := ReadConfig(repo)
	if err == nil {
		err = c.Validate()
	}
	if err != nil {
		return Result{}, fmt.Errorf("%s is not set up (glint hook install): %w", dir, err)
	}
	if timeout > 0 {
		c.Timeout = timeout
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	return Flush(ctx, NewSpool(dir), NewSender(c, userAgent)), nil
}
