package outbound

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/netguard"
)

func mustOverrides(t *testing.T, list ...string) []Override {
	t.Helper()
	o, err := ParseOverrides(list)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestParseOverride(t *testing.T) {
	good := []struct{ in, from, to string }{
		{"https://api.pushover.net=http://127.0.0.1:4567", "https://api.pushover.net", "http://127.0.0.1:4567"},
		{" HTTPS://API.Pushover.NET:443/=http://relay.internal:80/ ", "https://api.pushover.net", "http://relay.internal"},
		{"http://a.example:8080=https://[::1]:8443", "http://a.example:8080", "https://[::1]:8443"},
		{"https://[::1]:443=https://b.example:443", "https://[::1]", "https://b.example"},
		{"http://a.example:443=https://b.example:80", "http://a.example:443", "https://b.example:80"},
	}
	for _, g := range good {
		o, err := ParseOverride(g.in)
		if err != nil {
			t.Errorf("ParseOverride(%q): %v", g.in, err)
			continue
		}
		if o.From != g.from || o.To != g.to || o.String() != g.from+"="+g.to {
			t.Errorf("ParseOverride(%q) = %s, want %s=%s", g.in, o, g.from, g.to)
		}
	}
	bad := []string{
		"", "https://api.pushover.net", "=http://127.0.0.1", "https://api.pushover.net=",
		"api.pushover.net=http://127.0.0.1", "https://api.pushover.net=127.0.0.1:4567",
		"ftp://api.pushover.net=http://127.0.0.1", "https://api.pushover.net=tcp://127.0.0.1:1",
		"https://api.pushover.net/1=http://127.0.0.1", "https://api.pushover.net=http://127.0.0.1/relay",
		"https://api.pushover.net?x=1=http://127.0.0.1", "https://api.pushover.net=http://127.0.0.1?",
		"https://api.pushover.net#f=http://127.0.0.1", "https://u:p@api.pushover.net=http://127.0.0.1",
		"https://api.pushover.net=http://u@127.0.0.1", "https://:443=http://127.0.0.1", "https://api.pushover.net=http://127.0.0.1:",
		"https://api.pushover.net=http://%zz",
	}
	for _, in := range bad {
		if o, err := ParseOverride(in); !errors.Is(err, ErrInvalidOverride) {
			t.Errorf("ParseOverride(%q) = %s, %v; want ErrInvalidOverride", in, o, err)
		}
	}
	if _, err := ParseOverrides([]string{"https://a.example=http://127.0.0.1:1", "https://A.example:443/=http://127.0.0.1:2"}); !errors.Is(err, ErrInvalidOverride) ||
		!strings.Contains(err.Error(), "https://a.example is overridden twice") {
		t.Errorf("two overrides of one origin: %v", err)
	}
	if o, err := ParseOverrides(nil); err != nil || o != nil {
		t.Errorf("ParseOverrides(nil) = %v, %v", o, err)
	}
}

func TestRewrite(t *testing.T) {
	overrides := mustOverrides(t,
		"https://api.pushover.net=http://127.0.0.1:4567",
		"https://api.hipchat.com=http://relay.internal:8080",
		"http://[2001:db8::1]=https://b.example",
		"https://api.flowdock.com:8443=http://127.0.0.1:9",
	)
	cases := []struct{ in, want string }{
		{"https://api.pushover.net/1/messages.json", "http://127.0.0.1:4567/1/messages.json"},
		{"https://api.pushover.net", "http://127.0.0.1:4567"},
		{"https://api.pushover.net?x=1", "http://127.0.0.1:4567?x=1"},
		{"https://api.pushover.net#f", "http://127.0.0.1:4567#f"},
		{"HTTPS://API.PushOver.net:443/1/messages.json", "http://127.0.0.1:4567/1/messages.json"},
		// The rest of the URL is kept byte for byte.
		{"https://api.hipchat.com/v2/room/Dev%20Room/notification?auth_token=a%2Bb&x=%7E",
			"http://relay.internal:8080/v2/room/Dev%20Room/notification?auth_token=a%2Bb&x=%7E"},
		{"https://tok:X@api.pushover.net/a/../b//c", "http://tok:X@127.0.0.1:4567/a/../b//c"},
		{"http://[2001:DB8::1]:80/x", "https://b.example/x"},
		{"https://api.flowdock.com:8443/v1/messages", "http://127.0.0.1:9/v1/messages"},
		// No match: another scheme, port or host, a look-alike, a relative URL.
		{"http://api.pushover.net/1/messages.json", "http://api.pushover.net/1/messages.json"},
		{"https://api.pushover.net:8443/1", "https://api.pushover.net:8443/1"},
		{"https://api.pushover.net.evil.example/1", "https://api.pushover.net.evil.example/1"},
		{"https://evil.example/api.pushover.net", "https://evil.example/api.pushover.net"},
		{"https://api.pushover.net@evil.example/", "https://api.pushover.net@evil.example/"},
		{"https://api.flowdock.com/v1/messages", "https://api.flowdock.com/v1/messages"},
		{"//api.pushover.net/1", "//api.pushover.net/1"},
		{"api.pushover.net/1", "api.pushover.net/1"},
		{"", ""},
	}
	for _, c := range cases {
		got, ok := rewrite(overrides, c.in)
		if got != c.want || ok != (c.in != c.want) {
			t.Errorf("rewrite(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
	if got, ok := rewrite(nil, "https://api.pushover.net/1"); ok || got != "https://api.pushover.net/1" {
		t.Errorf("no overrides: %q, %v", got, ok)
	}
	// The first override of a URL wins.
	first := []Override{{From: "https://a.example", To: "http://one.example"}, {From: "https://a.example:443", To: "http://two.example"}}
	if got, _ := rewrite(compileOverrides(first), "https://a.example/x"); got != "http://one.example/x" {
		t.Errorf("two overrides: %q, want the first's", got)
	}
}

// hostRecorder answers 200 "<host> <method> <request URI>" to every request.
func hostRecorder(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bounce" {
			// Back to the overridden origin, which the client rewrites again.
			http.Redirect(w, r, "https://api.example.test/landed?from=bounce", http.StatusFound)
			return
		}
		body, _ := io.ReadAll(r.Body)
		io.WriteString(w, r.Host+" "+r.Method+" "+r.URL.RequestURI()+" "+string(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDoOverride(t *testing.T) {
	srv := hostRecorder(t)
	c := local(Options{Overrides: mustOverrides(t, "https://api.example.test="+srv.URL)})
	host := strings.TrimPrefix(srv.URL, "http://")
	res, err := c.Do(context.Background(), integration.Request{Method: "POST", URL: "https://api.example.test/1/messages.json?token=a%2Fb", Body: []byte("hi")})
	if err != nil {
		t.Fatal(err)
	}
	if want := host + " POST /1/messages.json?token=a%2Fb hi"; res.Status != 200 || string(res.Body) != want {
		t.Errorf("answer %d %q, want 200 %q", res.Status, res.Body, want)
	}
	// A redirect back to the overridden origin is rewritten too.
	res, err = c.Do(context.Background(), integration.Request{URL: "https://api.example.test/bounce"})
	if err != nil {
		t.Fatal(err)
	}
	if want := host + " GET /landed?from=bounce "; res.Status != 200 || string(res.Body) != want {
		t.Errorf("after the redirect: %d %q, want 200 %q", res.Status, res.Body, want)
	}
	// Other URLs are left alone.
	direct, err := c.Do(context.Background(), integration.Request{URL: srv.URL + "/direct"})
	if err != nil || string(direct.Body) != host+" GET /direct " {
		t.Errorf("a URL no override matches: %v, %+v", err, direct)
	}
	// A literal Override works as a parsed one; one that does not parse
	// is a programming error.
	lit := local(Options{Overrides: []Override{{From: "https://api.example.test", To: srv.URL}}})
	if res, err := lit.Do(context.Background(), integration.Request{URL: "https://api.example.test/lit"}); err != nil || string(res.Body) != host+" GET /lit " {
		t.Errorf("literal override: %v, %+v", err, res)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("New accepted an override of ftp://x")
			}
		}()
		local(Options{Overrides: []Override{{From: "ftp://x", To: srv.URL}}})
	}()
}

// TestDoOverrideLocalPolicy: the rewritten URL is the one checked: an
// override to a loopback address is refused without AllowLocal, and the
// error names the URL tried, redacted.
func TestDoOverrideLocalPolicy(t *testing.T) {
	srv, hits := hitCounter(t)
	c := New(Options{Timeout: 2 * time.Second, Overrides: mustOverrides(t, "https://api.example.test="+srv.URL)})
	_, err := c.Do(context.Background(), integration.Request{URL: "https://api.example.test/v2/room/s3cr3t/notification?auth_token=s3cr3t"})
	if !errors.Is(err, netguard.ErrBlocked) {
		t.Fatalf("override to %s without AllowLocal: %v, want blocked", srv.URL, err)
	}
	if msg := err.Error(); !strings.Contains(msg, srv.URL+"/v2/…") || strings.Contains(msg, "s3cr3t") {
		t.Errorf("error %q: want the rewritten URL, redacted", msg)
	}
	if o := Classify(nil, err); o.Retry {
		t.Errorf("Classify = %+v, want final", o)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the server got %d requests", n)
	}
}
