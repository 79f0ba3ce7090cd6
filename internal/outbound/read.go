package outbound

import (
	"context"
	"errors"

	"github.com/glint-dev/glint/internal/integration"
)

// MaxReadBody bounds the answers read back in full: a CI's build status
// page or XML, a Prometheus query's data. More is cut off (and the
// answer then rarely parses, which its reader treats as an error).
const MaxReadBody = 1 << 20

// Read sends an HTTP request whose answer is wanted whole (a read-back,
// not a delivery) and returns it as an integration.Answer: up to
// MaxReadBody bytes of body, or Err when no answer came. The rules of Do
// apply (SSRF guard on every hop, timeout, redaction of errors). A raw
// TCP request is refused.
func (c *Client) Read(ctx context.Context, r integration.Request) integration.Answer {
	if r.TCP != "" {
		return integration.Answer{Err: errors.New("outbound: a TCP request has no answer to read")}
	}
	res, err := c.do(ctx, r, MaxReadBody)
	if err != nil {
		return integration.Answer{Err: err}
	}
	return integration.Answer{Status: res.Status, Header: res.Header, Body: res.Body}
}
