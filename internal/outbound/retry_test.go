package outbound

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/netguard"
)

func TestClassify(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	res := func(code int, retryAfter string) *Result {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &Result{Status: code, Header: h}
	}
	transport := &Error{Method: "POST", URL: "https://example.com/hook", Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	reset := &Error{Method: "POST", URL: "https://example.com/hook", Err: &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}}
	blocked := &Error{Method: "POST", URL: "http://10.0.0.1/", Err: fmt.Errorf("dial tcp 10.0.0.1:80: address 10.0.0.1:80 is blocked: %w", netguard.ErrBlocked)}

	cases := []struct {
		name   string
		res    *Result
		err    error
		retry  bool
		after  time.Duration
		reason string // substring; "" means Reason must be empty
	}{
		{"200", res(200, ""), nil, false, 0, ""},
		{"201", res(201, ""), nil, false, 0, ""},
		{"204", res(204, ""), nil, false, 0, ""},
		{"301 not followed", res(301, ""), nil, false, 0, "HTTP 301"},
		{"400", res(400, ""), nil, false, 0, "HTTP 400 Bad Request"},
		{"401", res(401, ""), nil, false, 0, "HTTP 401"},
		{"404", res(404, ""), nil, false, 0, "HTTP 404"},
		{"408", res(408, ""), nil, true, 0, "HTTP 408"},
		{"409", res(409, ""), nil, false, 0, "HTTP 409"},
		{"422", res(422, ""), nil, false, 0, "HTTP 422"},
		{"429", res(429, ""), nil, true, 0, "HTTP 429 Too Many Requests"},
		{"429 Retry-After seconds", res(429, "7"), nil, true, 7 * time.Second, "HTTP 429"},
		{"429 Retry-After date", res(429, now.Add(90*time.Second).Format(http.TimeFormat)), nil, true, 90 * time.Second, "HTTP 429"},
		{"429 Retry-After past date", res(429, now.Add(-time.Minute).Format(http.TimeFormat)), nil, true, 0, "HTTP 429"},
		{"429 Retry-After capped", res(429, "86400"), nil, true, time.Hour, "HTTP 429"},
		{"429 Retry-After date capped", res(429, now.Add(48*time.Hour).Format(http.TimeFormat)), nil, true, time.Hour, "HTTP 429"},
		{"429 Retry-After garbage", res(429, "soon"), nil, true, 0, "HTTP 429"},
		{"429 Retry-After negative", res(429, "-5"), nil, true, 0, "HTTP 429"},
		{"500", res(500, ""), nil, true, 0, "HTTP 500"},
		{"502", res(502, ""), nil, true, 0, "HTTP 502"},
		{"503 Retry-After", res(503, "120"), nil, true, 2 * time.Minute, "HTTP 503"},
		{"599", res(599, ""), nil, true, 0, "HTTP 599"},
		{"connection refused", nil, transport, true, 0, "connection refused"},
		{"connection reset", nil, reset, true, 0, "connection reset"},
		{"blocked", nil, blocked, false, 0, "blocked"},
		{"invalid URL", nil, &Error{Method: "GET", URL: "", Err: ErrInvalidURL}, false, 0, "invalid URL"},
		{"redirect refused", nil, fmt.Errorf("x: %w", ErrRedirect), false, 0, "redirect refused"},
		{"no result", nil, nil, false, 0, "no response"},
	}
	for _, tc := range cases {
		o := classify(tc.res, tc.err, now)
		if o.Retry != tc.retry || o.After != tc.after {
			t.Errorf("%s: %+v, want Retry %v After %v", tc.name, o, tc.retry, tc.after)
		}
		if tc.reason == "" && o.Reason != "" || !strings.Contains(o.Reason, tc.reason) {
			t.Errorf("%s: Reason %q, want %q", tc.name, o.Reason, tc.reason)
		}
	}
}

func TestClassifyWrappedBlocked(t *testing.T) {
	// However deep the wrapping, a blocked address is final.
	err := fmt.Errorf("deliver: %w", &Error{Method: "POST", URL: "http://x/", Err: fmt.Errorf("dial: %w", netguard.ErrBlocked)})
	if o := Classify(nil, err); o.Retry {
		t.Errorf("Classify(wrapped blocked) = %+v, want final", o)
	}
	if o := Classify(nil, errors.New("i/o timeout")); !o.Retry {
		t.Errorf("Classify(plain transport error) = %+v, want retry", o)
	}
}

func TestBackoff(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for attempt := 1; attempt <= 20; attempt++ {
		d := min(time.Second<<(attempt-1), 10*time.Minute)
		lo, hi := d/2, d
		var sawLow, sawHigh bool
		for range 200 {
			got := Backoff(attempt, rng)
			if got < lo || got > hi {
				t.Fatalf("Backoff(%d) = %v, want in [%v, %v]", attempt, got, lo, hi)
			}
			sawLow = sawLow || got < lo+(hi-lo)/4
			sawHigh = sawHigh || got > hi-(hi-lo)/4
		}
		if !sawLow || !sawHigh {
			t.Errorf("Backoff(%d): 200 draws did not spread over [%v, %v]", attempt, lo, hi)
		}
	}
	// Out-of-range attempts and a nil source stay in bounds.
	for _, attempt := range []int{-3, 0} {
		if got := Backoff(attempt, rng); got < 500*time.Millisecond || got > time.Second {
			t.Errorf("Backoff(%d) = %v, want the first attempt's [500ms, 1s]", attempt, got)
		}
	}
	for _, attempt := range []int{63, 64, 1000, int(^uint(0) >> 1)} {
		if got := Backoff(attempt, nil); got < 5*time.Minute || got > 10*time.Minute {
			t.Errorf("Backoff(%d, nil) = %v, want in [5m, 10m]", attempt, got)
		}
	}
}
