// Package outbound makes the network calls integrations ask for: HTTP
// requests (integration.Request) and raw TCP connections (irker). It owns
// the rules every outbound call follows (GitLab 12.5's §18 "Outbound HTTP
// rules"): the SSRF guard on every connection, including each redirect hop;
// one timeout per call; no proxy from the environment; a capped response
// body; errors that never carry a URL's secret parts; and, in one place, the
// decision whether a failed delivery is worth retrying (Classify, Backoff).
//
// It imports netguard and integration only; it knows nothing of queues,
// storage or particular integrations.
package outbound

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/netguard"
)

const (
	// DefaultTimeout is GitLab's webhook_timeout default: one limit for the
	// whole call, connection to last byte read.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxRedirects is how many redirects a call follows by default.
	DefaultMaxRedirects = 10
	// DefaultUserAgent is sent when Options.UserAgent is empty.
	DefaultUserAgent = "glint"

	// maxBody is how much of a response body is kept: enough for an
	// error message from the target, not a download.
	maxBody = 4 << 10
	// maxDrain is how much more is read and discarded so the connection
	// can be reused; a longer body closes the connection instead.
	maxDrain = 64 << 10
)

// Options configure a Client. The zero value is usable: local targets
// refused, 10 s per call, up to 10 redirects.
type Options struct {
	// AllowLocal lets calls reach loopback, private and link-local
	// addresses (GitLab's "Allow requests to the local network from web
	// hooks and services", default off).
	AllowLocal bool
	// Timeout bounds each call, from dialing to reading the body;
	// 0 means DefaultTimeout.
	Timeout time.Duration
	// UserAgent is sent when a request carries no User-Agent of its own,
	// e.g. "glint/1.2.0"; empty means DefaultUserAgent.
	UserAgent string
	// MaxRedirects is how many redirects a call follows; 0 means
	// DefaultMaxRedirects and a negative value follows none (the 3xx
	// response is returned as the result).
	MaxRedirects int
	// Overrides send the HTTP calls meant for one origin to another (see
	// Override): the first whose From matches a request URL, or a
	// redirect's, rewrites it before it is checked and sent. Raw TCP
	// writes are not affected. Make them with ParseOverride: New panics
	// on one whose From or To is not an http(s) origin.
	Overrides []Override
}

// Result is the answer to one HTTP call. Any status is a result, not an
// error; Classify decides what it means for delivery.
type Result struct {
	Status int
	Header http.Header
	// Body is the first 4 KiB of the response body at most, as text that
	// can be shown and stored as it is: valid UTF-8 without NUL (see
	// text). A body that is such text is kept byte for byte.
	Body []byte
	// Duration is the time from sending the request to reading Body.
	Duration time.Duration
	// TCP marks the result of a raw TCP write (integration.Request.TCP):
	// there is no answer, so Status is 0 and Header and Body are empty;
	// the write succeeded.
	TCP bool
}

// Client makes outbound calls. It is safe for concurrent use and should be
// shared: it keeps idle connections for reuse.
type Client struct {
	opts     Options
	dialer   *net.Dialer
	verify   *http.Client // TLS certificates verified
	insecure *http.Client // InsecureSkipVerify, for enable_ssl_verification=false
}

// New returns a Client for opts.
func New(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	return newClient(opts, netguard.NewDialer(opts.AllowLocal, opts.Timeout))
}

// newClient builds a Client on the given dialer; tests use it to put a
// different guard behind the same transports.
func newClient(opts Options, dialer *net.Dialer) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxRedirects == 0 {
		opts.MaxRedirects = DefaultMaxRedirects
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	opts.Overrides = compileOverrides(opts.Overrides)
	return &Client{
		opts:     opts,
		dialer:   dialer,
		verify:   newHTTPClient(opts, dialer, false),
		insecure: newHTTPClient(opts, dialer, true),
	}
}

func newHTTPClient(opts Options, dialer *net.Dialer, insecure bool) *http.Client {
	transport := &http.Transport{
		// No proxy, whatever HTTP_PROXY says: a proxy would make the
		// dialer's address check see the proxy, not the target.
		Proxy:       nil,
		DialContext: dialer.DialContext,
		// InsecureSkipVerify only where the service's
		// enable_ssl_verification is false.
		TLSClientConfig:       &tls.Config{InsecureSkipVerify: insecure},
		TLSHandshakeTimeout:   opts.Timeout,
		ResponseHeaderTimeout: opts.Timeout,
		ExpectContinueTimeout: time.Second,
		// Connections are kept for reuse as many as a node sends to one
		// host at once (a target's in-flight limit is 200 by default):
		// with fewer, a busy target's connections were closed after each
		// request and opened again, a TCP (and TLS) handshake each time.
		MaxIdleConns:           1000,
		MaxIdleConnsPerHost:    256,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		ForceAttemptHTTP2:      true,
	}
	check := checkRedirect(opts.MaxRedirects)
	overrides := opts.Overrides
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			rewriteRedirect(overrides, req)
			return check(req, via)
		},
		Timeout: opts.Timeout,
	}
}

// ErrInvalidURL is wrapped by errors for a request URL that is not an
// absolute http or https URL.
var ErrInvalidURL = errors.New("invalid URL")

// ErrRedirect is wrapped by errors for a redirect that is not followed: too
// many of them, or one to a scheme other than http or https.
var ErrRedirect = errors.New("redirect refused")

// checkRedirect returns the CheckRedirect function for a limit of max
// redirects (none if max < 0). It checks the scheme and the count; the
// address of every hop is checked by the dialer when it is connected to.
func checkRedirect(max int) func(req *http.Request, via []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if max < 0 {
			return http.ErrUseLastResponse
		}
		if s := req.URL.Scheme; s != "http" && s != "https" {
			return fmt.Errorf("%w: to unsupported scheme %q", ErrRedirect, s)
		}
		if len(via) > max {
			return fmt.Errorf("%w: stopped after %d redirects", ErrRedirect, max)
		}
		return nil
	}
}

// Do sends r and returns the response status, headers and the first 4 KiB
// of its body. Any HTTP status is a Result; an error means no response was
// had (or a redirect was refused). Errors never contain the URL's userinfo,
// query or path beyond its first segment. r.InsecureSkipVerify turns TLS
// certificate verification off for this call.
//
// A request with TCP set is no HTTP call: its Body is written to that
// address (see sendTCP) and the Result, marked TCP, has no status.
//
// An endpoint override (Options.Overrides) matching r.URL rewrites it
// first: the rewritten URL is the one checked, sent and named in errors.
func (c *Client) Do(ctx context.Context, r integration.Request) (*Result, error) {
	if r.TCP != "" {
		return c.sendTCP(ctx, r.TCP, r.Body)
	}
	r.URL, _ = rewrite(c.opts.Overrides, r.URL)
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	u, err := url.Parse(r.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The parse error quotes the URL in full, so it is not kept.
		return nil, &Error{Method: method, URL: Redact(r.URL), Err: ErrInvalidURL}
	}
	req, err := http.NewRequestWithContext(ctx, method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return nil, &Error{Method: method, URL: Redact(r.URL), Err: fmt.Errorf("%w: cannot build request", ErrInvalidURL)}
	}
	for k, v := range r.Header {
		req.Header[k] = append([]string(nil), v...)
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", c.opts.UserAgent)
	}

	client := c.verify
	if r.InsecureSkipVerify {
		client = c.insecure
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return nil, redactError(method, r.URL, err)
	}
	defer resp.Body.Close()
	// The status line is the answer; a body cut short (by the timeout,
	// say) leaves Body shorter but is not an error.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	cut := len(body) > maxBody
	if cut {
		body = body[:maxBody]
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	return &Result{
		Status:   resp.StatusCode,
		Header:   resp.Header,
		Body:     text(body, cut),
		Duration: time.Since(start),
	}, nil
}

// DialTCP connects to addr ("host:port") over TCP through the same guarded
// dialer and timeout as HTTP calls, for line protocols such as irker's.
func (c *Client) DialTCP(ctx context.Context, addr string) (net.Conn, error) {
	return c.dialer.DialContext(ctx, "tcp", addr)
}

// tcpMethod names raw TCP writes in errors, where HTTP calls name their
// method.
const tcpMethod = "TCP"

// sendTCP connects to addr ("host:port") through DialTCP, so the local
// network policy applies, writes body, and closes the connection; nothing
// is read. The client's timeout bounds the whole call. Errors are *Error
// with Method "TCP" and the address as URL (an address that is not
// host:port wraps ErrInvalidURL); the address holds no secret.
func (c *Client) sendTCP(ctx context.Context, addr string, body []byte) (*Result, error) {
	if host, port, err := net.SplitHostPort(addr); err != nil || host == "" || port == "" {
		return nil, &Error{Method: tcpMethod, URL: addr, Err: fmt.Errorf("%w: not a host:port address", ErrInvalidURL)}
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	start := time.Now()
	conn, err := c.DialTCP(ctx, addr)
	if err != nil {
		return nil, &Error{Method: tcpMethod, URL: addr, Err: err}
	}
	// The deadline bounds the write; a cancelled context cuts it short.
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	_, err = conn.Write(body)
	stop()
	if cerr := conn.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, &Error{Method: tcpMethod, URL: addr, Err: err}
	}
	return &Result{TCP: true, Duration: time.Since(start)}, nil
}
