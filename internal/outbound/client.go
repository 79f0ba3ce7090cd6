// Package outbound makes the network calls integrations ask for: HTTP
// requests (integration.Request), raw TCP connections (irker) and emails,
// handed to the instance's Mailer (internal/mail). It owns
// the rules every outbound call follows (GitLab 12.5's §18 "Outbound HTTP
// rules"): the SSRF guard on every connection, including each redirect hop;
// one timeout per call; no proxy from the environment; a capped response
// body (the whole answer, up to MaxAnswer, for a request whose answer
// decides what follows); errors that never carry a URL's secret parts; in
// one place, the decision whether a failed delivery is worth retrying
// (Classify, Backoff); and the walk through a delivery's requests and the
// follow-ups their answers ask for (Walk).
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

	// MaxAnswer is the most of an answer read for a request with a Then
	// (integration.Request.Then): the whole answer goes to Then, which
	// decides what is sent next (Campfire's room list, Jira's issue,
	// remote links and search results). A longer answer is not cut, it is
	// refused (ErrAnswerTooLarge): Then never sees part of an answer.
	MaxAnswer = 1 << 20
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
	// Mailer sends the emails (integration.Request.Mail); nil when the
	// instance has no SMTP server, and each email then fails with
	// ErrNoSMTP.
	Mailer Mailer
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
	// Answer is the whole body as received, for a request with a Then
	// only (nil otherwise): what Then is given. When the body is longer
	// than MaxAnswer, Answer is nil and AnswerErr says so: an *Error
	// naming the call, wrapping ErrAnswerTooLarge.
	Answer    []byte
	AnswerErr error
	// Duration is the time from sending the request to reading Body.
	Duration time.Duration
	// Request summarises what was sent, without secrets: the method, the
	// redacted URL (see Redact) and the body's size.
	Request string
	// TCP marks the result of a raw TCP write (integration.Request.TCP):
	// there is no answer, so Status is 0 and Header and Body are empty;
	// the write succeeded.
	TCP bool
	// SMTP marks the result of an email (integration.Request.Mail): Status
	// is the SMTP server's reply code and Body its text.
	SMTP bool
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
// For a request with a Then, the whole body is read too, up to MaxAnswer
// (Result.Answer, or Result.AnswerErr), and a body cut short by the
// connection or the timeout is an error worth retrying: Then must be given
// the whole answer or none. For other requests a body cut short leaves
// Body shorter but is not an error: the status line is the answer.
//
// A request with TCP set is no HTTP call: its Body is written to that
// address (see sendTCP) and the Result, marked TCP, has no status.
//
// An endpoint override (Options.Overrides) matching r.URL rewrites it
// first: the rewritten URL is the one checked, sent and named in errors.
func (c *Client) Do(ctx context.Context, r integration.Request) (*Result, error) {
	return c.do(ctx, r, maxBody)
}

// Read is Do for an HTTP call whose answer glint reads (a GitLab source's
// compare API): Body holds up to limit bytes of the response as they came,
// and a longer body is an error.
func (c *Client) Read(ctx context.Context, r integration.Request, limit int) (*Result, error) {
	if r.Mail != nil || r.TCP != "" {
		return nil, &Error{Method: r.Method, URL: Redact(r.URL), Err: fmt.Errorf("%w: not an HTTP call", ErrInvalidURL)}
	}
	return c.do(ctx, r, limit)
}

func (c *Client) do(ctx context.Context, r integration.Request, limit int) (*Result, error) {
	if r.Mail != nil {
		return c.sendMail(ctx, r.Mail)
	}
	if r.TCP != "" {
		return c.sendTCP(ctx, r.TCP, r.Body)
	}
	return c.doHTTP(ctx, r, limit)
}

// doHTTP sends an HTTP request and keeps up to limit bytes of the answer.
func (c *Client) doHTTP(ctx context.Context, r integration.Request, limit int) (*Result, error) {
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
	if r.NoRedirects {
		once := *client
		once.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		client = &once
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return nil, redactError(method, r.URL, err)
	}
	defer resp.Body.Close()
	res := &Result{Status: resp.StatusCode, Header: resp.Header}
	// A follow-up's answer (Then) and a read (Read) are read whole, up to
	// their limit; a delivery keeps only the first maxBody bytes.
	if r.Then != nil {
		limit = MaxAnswer
	}
	var body []byte
	if r.Then != nil || limit > maxBody {
		whole, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
		if err != nil {
			return nil, redactError(method, r.URL, fmt.Errorf("reading the answer: %w", err))
		}
		switch {
		case len(whole) > limit && r.Then == nil:
			return nil, &Error{Method: method, URL: Redact(r.URL), Err: fmt.Errorf("answer longer than %d bytes", limit)}
		case len(whole) > limit:
			res.AnswerErr = &Error{Method: method, URL: Redact(r.URL), Err: ErrAnswerTooLarge}
		case r.Then == nil:
			// Read: the body as it came.
			res.Body, res.Duration = whole, time.Since(start)
			return res, nil
		default:
			res.Answer = whole
		}
		// Body must not hold on to the whole answer.
		body = bytes.Clone(whole[:min(len(whole), maxBody+1)])
	} else {
		// The status line is the answer; a body cut short (by the timeout,
		// say) leaves Body shorter but is not an error.
		body, _ = io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	}
	cut := len(body) > maxBody
	if cut {
		body = body[:maxBody]
	}
	if res.AnswerErr == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	}
	res.Body, res.Duration = text(body, cut), time.Since(start)
	res.Request = fmt.Sprintf("%s %s (%d bytes)", method, Redact(r.URL), len(r.Body))
	return res, nil
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
	return &Result{TCP: true, Duration: time.Since(start), Request: fmt.Sprintf("%s %s (%d bytes)", tcpMethod, addr, len(body))}, nil
}
