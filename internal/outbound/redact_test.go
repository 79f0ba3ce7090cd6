package outbound

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/integration"
)

func TestRedact(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://hooks.slack.com/services/T000/B000/XXXXSECRET", "https://hooks.slack.com/services/…"},
		{"https://example.com", "https://example.com"},
		{"https://example.com/", "https://example.com/"},
		{"https://example.com/hook", "https://example.com/hook"},
		{"https://example.com/hook/", "https://example.com/hook/"},
		{"https://example.com/a/b", "https://example.com/a/…"},
		{"https://example.com//secret", "https://example.com//…"},
		{"https://example.com/hook?token=abc&x=1", "https://example.com/hook"},
		{"https://example.com/hook#frag", "https://example.com/hook"},
		{"http://user:pass@jenkins.example.com:8080/project/my-job", "http://jenkins.example.com:8080/project/…"},
		{"http://token@example.com/", "http://example.com/"},
		{"https://drone.example.com/hook?owner=g&name=p&access_token=s3cr3t", "https://drone.example.com/hook"},
		{"https://discord.com/api/webhooks/123/tok", "https://discord.com/api/…"},
		{"http://[::1]:8080/a/b?c", "http://[::1]:8080/a/…"},
		{"https://example.com/%E2%9C%93/x", "https://example.com/%E2%9C%93/…"},
		{"  https://example.com/a/b  ", "https://example.com/a/…"},
		{"example.com/a/b", "example.com/…"},
		{"mailto:someone@example.com", "mailto:…"},
		{"http://%zz/secret", "<invalid URL>"},
		{"http://example.com/\x7fsecret", "<invalid URL>"},
		{"", ""},
	}
	for _, tc := range cases {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// The secret parts of the URLs used below; none may appear in an error.
var secrets = []string{"alice-tok", "pa55word", "T0SECRET", "B0SECRET", "XSECRETX", "QSECRET", "FRAGSECRET"}

func secretURL(hostport string) string {
	return "http://alice-tok:pa55word@" + hostport + "/services/T0SECRET/B0SECRET/XSECRETX?token=QSECRET#FRAGSECRET"
}

func assertNoSecret(t *testing.T, name string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", name)
		return
	}
	for _, msg := range []string{err.Error(), Classify(nil, err).Reason} {
		for _, s := range secrets {
			if strings.Contains(msg, s) {
				t.Errorf("%s: message %q contains secret %q", name, msg, s)
			}
		}
	}
	if !strings.Contains(err.Error(), "/services/…") {
		t.Errorf("%s: message %q does not name the redacted URL", name, err)
	}
}

func TestErrorsLeakNoSecret(t *testing.T) {
	ctx := context.Background()

	// Blocked.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(srv.Close)
	_, err := New(Options{Timeout: 2 * time.Second}).Do(ctx, integration.Request{Method: http.MethodPost, URL: secretURL(srv.Listener.Addr().String())})
	assertNoSecret(t, "blocked", err)

	// Connection refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	_, err = local(Options{Timeout: 2 * time.Second}).Do(ctx, integration.Request{Method: http.MethodPost, URL: secretURL(closed)})
	assertNoSecret(t, "connection refused", err)

	// Timeout.
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(hang.Close)
	_, err = local(Options{Timeout: 200 * time.Millisecond}).Do(ctx, integration.Request{Method: http.MethodPost, URL: secretURL(hang.Listener.Addr().String())})
	assertNoSecret(t, "timeout", err)

	// Redirects that echo the request's secrets into their Location: one
	// to a refused scheme, one that does not parse (Go quotes it).
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.RawQuery
		switch r.Header.Get("X-Case") {
		case "scheme":
			w.Header().Set("Location", "file:///services/T0SECRET/B0SECRET/XSECRETX?"+q)
		case "unparsable":
			w.Header().Set("Location", "http://%zz/services/T0SECRET/B0SECRET/XSECRETX?"+q)
		}
		w.WriteHeader(http.StatusFound)
	}))
	t.Cleanup(echo.Close)
	for _, kase := range []string{"scheme", "unparsable"} {
		_, err = local(Options{}).Do(ctx, integration.Request{
			Method: http.MethodPost,
			URL:    secretURL(echo.Listener.Addr().String()),
			Header: http.Header{"X-Case": {kase}},
		})
		assertNoSecret(t, "redirect "+kase, err)
	}

	// TLS verification failure.
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(tlsSrv.Close)
	_, err = local(Options{}).Do(ctx, integration.Request{Method: http.MethodPost, URL: "https" + strings.TrimPrefix(secretURL(tlsSrv.Listener.Addr().String()), "http")})
	assertNoSecret(t, "tls", err)

	// Unsupported scheme.
	_, err = local(Options{}).Do(ctx, integration.Request{URL: "ftp" + strings.TrimPrefix(secretURL("example.com"), "http")})
	assertNoSecret(t, "scheme", err)
}

func TestScrubKeepsCause(t *testing.T) {
	cause := errors.New(`failed to parse Location header "http://x/a/SECRETPATH?k=SECRETQ"`)
	err := scrub(cause, secretParts("http://h/a/SECRETPATH?k=SECRETQ"))
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("scrubbed message %q still has a secret", err)
	}
	if !errors.Is(err, cause) {
		t.Error("scrubbed error does not unwrap to its cause")
	}
	if plain := errors.New("dial tcp 127.0.0.1:1: connection refused"); scrub(plain, secretParts("http://h/a/SECRETPATH")) != plain {
		t.Error("scrub replaced an error with nothing to cut")
	}
}
