package pushhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// Sender posts events to glint's intake, POST <url>/hooks/gitlab/<project>.
type Sender struct {
	Config    Config
	Client    *http.Client
	UserAgent string
}

// NewSender sends as c says, never following redirects (a redirected POST
// would lose its body).
func NewSender(c Config, userAgent string) *Sender {
	return &Sender{Config: c, UserAgent: userAgent, Client: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// errRejected is glint refusing an event as a bad request: sending it
// again would not help.
var errRejected = errors.New("glint refused the event")

// Send posts one event. It returns nil once glint has it (2xx: accepted,
// or a duplicate of one it has), an error wrapping errRejected for a bad
// request, and another error when the event should be sent again later.
func (s *Sender) Send(ctx context.Context, e Envelope) error {
	u := strings.TrimSuffix(s.Config.URL, "/") + "/hooks/gitlab/" + url.PathEscape(s.Config.Project)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(e.Payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", s.UserAgent)
	req.Header.Set("X-Gitlab-Event", e.Header)
	req.Header.Set("X-Gitlab-Token", s.Config.Token)
	req.Header.Set("X-Gitlab-Event-UUID", e.UUID)
	resp, err := s.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	answer := fmt.Sprintf("%s answered %s: %s", u, resp.Status, strings.TrimSpace(string(body)))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == 400 || resp.StatusCode == 413 || resp.StatusCode == 422:
		return fmt.Errorf("%w: %s", errRejected, answer)
	}
	return errors.New(answer)
}

// Result is what a flush of the spool did.
type Result struct {
	Sent, Rejected, Left int
	// Err is why the flush stopped with events left (nil when none is).
	Err error
	// Problems are the events set aside (rejected or unreadable).
	Problems []error
}

// Flush sends the spooled events in order, each deleted once glint has
// it, until one cannot be sent now or ctx ends: the rest wait for the next
// flush. A resend of an event glint already had is a duplicate there (same
// UUID), so an event is acted on once even if an answer was lost.
func Flush(ctx context.Context, sp Spool, s *Sender) Result {
	var r Result
	unlock, err := sp.lock(ctx)
	if err != nil {
		files, _ := sp.List()
		r.Left, r.Err = len(files), err
		return r
	}
	defer unlock()
	files, err := sp.List()
	if err != nil {
		r.Err = err
		return r
	}
	for i, path := range files {
		e, err := sp.Read(path)
		if os.IsNotExist(err) {
			continue // sent by another flush
		}
		if err != nil {
			r.Problems = append(r.Problems, err)
			if err := sp.Reject(path); err != nil {
				r.Left, r.Err = len(files)-i, err
				return r
			}
			r.Rejected++
			continue
		}
		err = s.Send(ctx, e)
		switch {
		case err == nil:
			if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
				r.Left, r.Err = len(files)-i, err
				return r
			}
			r.Sent++
		case errors.Is(err, errRejected):
			r.Problems = append(r.Problems, fmt.Errorf("%s (%s %s): %w", path, e.Header, e.Ref, err))
			if err := sp.Reject(path); err != nil {
				r.Left, r.Err = len(files)-i, err
				return r
			}
			r.Rejected++
		default:
			r.Left, r.Err = len(files)-i, err
			return r
		}
	}
	return r
}
