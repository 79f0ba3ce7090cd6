package outbound

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/glint-dev/glint/internal/netguard"
)

const (
	// maxRetryAfter caps a target's Retry-After: a day-long pause asked
	// by a misconfigured server should not park a delivery.
	maxRetryAfter = time.Hour

	backoffBase = time.Second
	backoffMax  = 10 * time.Minute
)

// Outcome is the delivery decision for one call's result.
type Outcome struct {
	// Retry is true when a later attempt may succeed.
	Retry bool
	// After is the pause the target asked for (Retry-After), if any,
	// capped at one hour; callers wait at least this long.
	After time.Duration
	// Reason says why the call did not succeed; empty on success.
	Reason string
}

// Classify decides what a call's result means for delivery; it is the one
// place that rule lives. A 2xx status is success, and so is a raw TCP
// write (Result.TCP, no status) that returned no error. An email's SMTP
// reply (Result.SMTP) is success when 2xx, retried when 4xx, final when
// 5xx; an email with no SMTP server configured (ErrNoSMTP) is final. 408, 429 and 5xx
// are worth retrying, after the Retry-After the target sent if any. Any
// other status is final. An error with no response is worth retrying
// (timeouts, refused or reset connections, DNS failures) unless retrying
// cannot help: a blocked address, an invalid URL, a refused redirect, a
// TLS certificate that does not verify, or an answer its follow-up could
// not use (*FollowUpError, see Walk).
func Classify(res *Result, err error) Outcome {
	return classify(res, err, time.Now())
}

func classify(res *Result, err error, now time.Time) Outcome {
	if err != nil {
		if final, why := finalError(err); final {
			return Outcome{Reason: why + ": " + err.Error()}
		}
		return Outcome{Retry: true, Reason: err.Error()}
	}
	if res == nil {
		return Outcome{Reason: "no response"}
	}
	if res.TCP && res.Status == 0 {
		return Outcome{}
	}
	if res.SMTP {
		return classifySMTP(res)
	}
	code := res.Status
	reason := fmt.Sprintf("HTTP %d", code)
	if text := http.StatusText(code); text != "" {
		reason += " " + text
	}
	switch {
	case code >= 200 && code < 300:
		return Outcome{}
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests, code >= 500 && code < 600:
		return Outcome{Retry: true, After: retryAfter(res.Header.Get("Retry-After"), now), Reason: reason}
	default:
		return Outcome{Reason: reason}
	}
}

// finalError reports whether err is one no retry can cure, and what kind.
func finalError(err error) (bool, string) {
	var (
		verifyErr    *tls.CertificateVerificationError
		unknownAuth  x509.UnknownAuthorityError
		hostnameErr  x509.HostnameError
		invalidCert  x509.CertificateInvalidError
		rootsMissing x509.SystemRootsError
	)
	switch {
	case errors.Is(err, netguard.ErrBlocked):
		return true, "blocked"
	case errors.Is(err, ErrNoSMTP):
		return true, "not sent"
	case errors.Is(err, ErrInvalidURL):
		return true, "invalid URL"
	case errors.Is(err, ErrRedirect):
		return true, "redirect refused"
	case isFollowUp(err):
		return true, "follow-up"
	case errors.As(err, &verifyErr), errors.As(err, &unknownAuth), errors.As(err, &hostnameErr),
		errors.As(err, &invalidCert), errors.As(err, &rootsMissing):
		return true, "TLS certificate"
	}
	return false, ""
}

// retryAfter parses a Retry-After value, delay-seconds or an HTTP date,
// into a pause from now, capped at maxRetryAfter; 0 if absent, invalid or
// past.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs >= int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}

// Backoff returns the pause before retry number attempt (1 for the first
// retry): 1 s doubling with each attempt, capped at 10 minutes, with
// jitter drawn from rng (the shared source if nil) in [d/2, d] so failing
// deliveries spread out.
func Backoff(attempt int, rng *rand.Rand) time.Duration {
	attempt = max(attempt, 1)
	d := backoffMax
	// 1s << 10 already exceeds the cap; stop shifting before overflow.
	if attempt <= 10 {
		d = min(backoffBase<<(attempt-1), backoffMax)
	}
	half := d / 2
	var jitter int64
	if rng != nil {
		jitter = rng.Int64N(int64(d-half) + 1)
	} else {
		jitter = rand.Int64N(int64(d-half) + 1)
	}
	return half + time.Duration(jitter)
}
