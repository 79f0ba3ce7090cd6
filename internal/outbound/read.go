package outbound

import (
	"context"

	"github.com/glint-dev/glint/internal/integration"
)

// MaxReadBody bounds the answers read back in full: a CI's build status
// page or XML, a Prometheus query's data. A longer answer is an error.
const MaxReadBody = 1 << 20

// Fetch sends an HTTP request whose answer is wanted whole (a read-back,
// not a delivery) and returns it as an integration.Answer: the whole body
// (Read, up to MaxReadBody), or Err when no whole answer came. The rules
// of Do apply (SSRF guard on every hop, timeout, redaction of errors).
func (c *Client) Fetch(ctx context.Context, r integration.Request) integration.Answer {
	res, err := c.Read(ctx, r, MaxReadBody)
	if err != nil {
		return integration.Answer{Err: err}
	}
	return integration.Answer{Status: res.Status, Header: res.Header, Body: res.Body}
}
