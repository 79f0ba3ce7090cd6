package outbound

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/glint-dev/glint/internal/integration"
)

// Mailer sends emails (integration.Mail) to the instance's SMTP server;
// internal/mail implements it with go-mail. A reply of the server,
// positive or negative, is a code and its text with a nil error: Classify
// decides what it means. err is for when no reply decides (the connection
// failed, timed out, or TLS could not be set up).
type Mailer interface {
	SendMail(ctx context.Context, m *integration.Mail) (code int, reply string, err error)
}

// ErrNoSMTP is the error of a mail when the instance has no SMTP server:
// final, since no retry can send it.
var ErrNoSMTP = errors.New("no SMTP server configured: set --smtp-host (GLINT_SMTP_HOST)")

// smtpMethod names SMTP sends in errors, where HTTP calls name their
// method.
const smtpMethod = "SMTP"

// sendMail sends one email through the configured Mailer. The Result is
// marked SMTP: Status is the server's reply code and Body its text.
func (c *Client) sendMail(ctx context.Context, m *integration.Mail) (*Result, error) {
	if c.opts.Mailer == nil {
		return nil, ErrNoSMTP
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	start := time.Now()
	code, reply, err := c.opts.Mailer.SendMail(ctx, m)
	if err != nil {
		return nil, &Error{Method: smtpMethod, URL: strings.Join(append(append([]string{}, m.To...), m.Bcc...), ","), Err: err}
	}
	body := []byte(reply)
	cut := len(body) > maxBody
	if cut {
		body = body[:maxBody]
	}
	return &Result{SMTP: true, Status: code, Body: text(body, cut), Duration: time.Since(start)}, nil
}

// classifySMTP is Classify for a reply of an SMTP server: 2xx (250) is
// success, 4xx is worth retrying (greylisting, a full queue, a server
// going down), 5xx is final (an unknown mailbox, a refused sender, failed
// authentication).
func classifySMTP(res *Result) Outcome {
	reason := fmt.Sprintf("SMTP %d", res.Status)
	if t := strings.TrimSpace(string(res.Body)); t != "" {
		reason += " " + t
	}
	switch {
	case res.Status >= 200 && res.Status < 400:
		return Outcome{}
	case res.Status >= 400 && res.Status < 500:
		return Outcome{Retry: true, Reason: reason}
	default:
		return Outcome{Reason: reason}
	}
}
