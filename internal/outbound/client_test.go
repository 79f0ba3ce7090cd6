package outbound

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/integration"
)

// received is what a recording server saw of one request.
type received struct {
	method string
	path   string
	header http.Header
	body   []byte
}

// recorder starts a server on 127.0.0.1 that passes each request it gets
// to the returned channel and answers status.
func recorder(t *testing.T, status int) (*httptest.Server, <-chan received) {
	t.Helper()
	ch := make(chan received, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ch <- received{method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: body}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, ch
}

func local(opts Options) *Client {
	opts.AllowLocal = true
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	return New(opts)
}

func TestDoSendsRequest(t *testing.T) {
	srv, got := recorder(t, http.StatusCreated)
	c := local(Options{UserAgent: "glint/1.2.3"})
	req := integration.Request{
		Method: http.MethodPut,
		URL:    srv.URL + "/api/hook",
		Header: http.Header{"Content-Type": {"application/json"}, "X-Gitlab-Event": {"Push Hook"}},
		Body:   []byte(`{"object_kind":"push"}`),
	}
	res, err := c.Do(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != http.StatusCreated {
		t.Errorf("status %d, want 201", res.Status)
	}
	if res.Duration <= 0 {
		t.Errorf("duration %v, want > 0", res.Duration)
	}
	r := <-got
	if r.method != http.MethodPut || r.path != "/api/hook" || !bytes.Equal(r.body, req.Body) {
		t.Errorf("server got %s %s %q", r.method, r.path, r.body)
	}
	if ua := r.header.Get("User-Agent"); ua != "glint/1.2.3" {
		t.Errorf("User-Agent %q, want glint/1.2.3", ua)
	}
	if ct, ev := r.header.Get("Content-Type"), r.header.Get("X-Gitlab-Event"); ct != "application/json" || ev != "Push Hook" {
		t.Errorf("headers Content-Type=%q X-Gitlab-Event=%q", ct, ev)
	}
}

func TestDoUserAgent(t *testing.T) {
	srv, got := recorder(t, http.StatusOK)
	cases := []struct {
		opt, header, want string
	}{
		{"", "", DefaultUserAgent},
		{"glint/9.9", "", "glint/9.9"},
		{"glint/9.9", "Custom/1.0", "Custom/1.0"},
	}
	for _, tc := range cases {
		c := local(Options{UserAgent: tc.opt})
		req := integration.Request{Method: http.MethodGet, URL: srv.URL}
		if tc.header != "" {
			req.Header = http.Header{"User-Agent": {tc.header}}
		}
		if _, err := c.Do(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if ua := (<-got).header.Get("User-Agent"); ua != tc.want {
			t.Errorf("option %q, header %q: User-Agent %q, want %q", tc.opt, tc.header, ua, tc.want)
		}
	}
}

func TestDoBasicAuthFromURL(t *testing.T) {
	srv, got := recorder(t, http.StatusOK)
	u, _ := url.Parse(srv.URL)
	u.User = url.UserPassword("demo", "pa ss")
	if _, err := local(Options{}).Do(context.Background(), integration.Request{Method: http.MethodPost, URL: u.String()}); err != nil {
		t.Fatal(err)
	}
	// GitLab sends the URL's userinfo, unescaped, as basic auth.
	if auth := (<-got).header.Get("Authorization"); auth != "Basic ZGVtbzpwYSBzcw==" {
		t.Errorf("Authorization %q", auth)
	}
}

func TestDoBodyCap(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 100<<10/16) // 100 KiB
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Answer", "42")
		w.WriteHeader(http.StatusBadGateway)
		w.Write(big)
	}))
	t.Cleanup(srv.Close)
	res, err := local(Options{}).Do(context.Background(), integration.Request{Method: http.MethodPost, URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Body) != 4096 || !bytes.Equal(res.Body, big[:4096]) {
		t.Errorf("body: %d bytes, want the first 4096", len(res.Body))
	}
	if res.Status != http.StatusBadGateway || res.Header.Get("X-Answer") != "42" {
		t.Errorf("status %d, X-Answer %q", res.Status, res.Header.Get("X-Answer"))
	}
}

func TestDoShortBodyWhole(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	res, err := local(Options{}).Do(context.Background(), integration.Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Body) != "ok" || res.Status != http.StatusOK {
		t.Errorf("got %d %q", res.Status, res.Body)
	}
}

func TestDoTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(srv.Close)
	const timeout = 300 * time.Millisecond
	c := local(Options{Timeout: timeout})
	start := time.Now()
	res, err := c.Do(context.Background(), integration.Request{Method: http.MethodPost, URL: srv.URL})
	took := time.Since(start)
	if err == nil {
		t.Fatalf("hanging server answered %d, want a timeout", res.Status)
	}
	if took < timeout || took > timeout+time.Second {
		t.Errorf("gave up after %v, want about %v", took, timeout)
	}
	var oe *Error
	if !errors.As(err, &oe) || !oe.Timeout() {
		t.Errorf("error %v is not an *Error with Timeout() true", err)
	}
	if o := Classify(res, err); !o.Retry {
		t.Errorf("Classify(timeout) = %+v, want retry", o)
	}
}

func TestDoContextCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := local(Options{Timeout: 5 * time.Second}).Do(ctx, integration.Request{URL: srv.URL})
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("err %v after %v, want the context's deadline to end the call", err, time.Since(start))
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v does not wrap context.DeadlineExceeded", err)
	}
}

func TestDoTLSVerification(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	c := local(Options{})

	res, err := c.Do(context.Background(), integration.Request{Method: http.MethodPost, URL: srv.URL})
	if err == nil {
		t.Fatalf("verifying client accepted a self-signed certificate (status %d)", res.Status)
	}
	if o := Classify(res, err); o.Retry || !strings.Contains(o.Reason, "TLS certificate") {
		t.Errorf("Classify(certificate error) = %+v, want final", o)
	}

	res, err = c.Do(context.Background(), integration.Request{Method: http.MethodPost, URL: srv.URL, InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("skip-verify client: %v", err)
	}
	if res.Status != http.StatusAccepted {
		t.Errorf("status %d, want 202", res.Status)
	}

	// The skip-verify call leaves the verifying client as strict as before.
	if _, err := c.Do(context.Background(), integration.Request{URL: srv.URL}); err == nil {
		t.Error("verifying client accepted the certificate after a skip-verify call")
	}
}

// redirector answers /r/N with a redirect to /r/N-1, /r/0 with 200, and
// /file with a redirect to file:///etc/passwd.
func redirector(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/file" {
			w.Header().Set("Location", "file:///etc/passwd")
			w.WriteHeader(http.StatusFound)
			return
		}
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/r/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if n == 0 {
			io.WriteString(w, "arrived")
			return
		}
		http.Redirect(w, r, "/r/"+strconv.Itoa(n-1), http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRedirects(t *testing.T) {
	srv := redirector(t)
	c := local(Options{MaxRedirects: 3})
	res, err := c.Do(context.Background(), integration.Request{URL: srv.URL + "/r/3"})
	if err != nil {
		t.Fatalf("3 redirects with MaxRedirects 3: %v", err)
	}
	if string(res.Body) != "arrived" {
		t.Errorf("body %q, want arrived", res.Body)
	}

	_, err = c.Do(context.Background(), integration.Request{URL: srv.URL + "/r/4"})
	if !errors.Is(err, ErrRedirect) {
		t.Fatalf("4 redirects with MaxRedirects 3: %v, want ErrRedirect", err)
	}
	if o := Classify(nil, err); o.Retry {
		t.Errorf("Classify(too many redirects) = %+v, want final", o)
	}

	_, err = c.Do(context.Background(), integration.Request{URL: srv.URL + "/file"})
	if !errors.Is(err, ErrRedirect) || !strings.Contains(err.Error(), `"file"`) {
		t.Fatalf("redirect to file://: %v, want ErrRedirect naming the scheme", err)
	}

	// The default follows 10.
	if _, err := local(Options{}).Do(context.Background(), integration.Request{URL: srv.URL + "/r/10"}); err != nil {
		t.Errorf("10 redirects by default: %v", err)
	}
	if _, err := local(Options{}).Do(context.Background(), integration.Request{URL: srv.URL + "/r/11"}); !errors.Is(err, ErrRedirect) {
		t.Errorf("11 redirects by default: %v, want ErrRedirect", err)
	}

	// A negative limit follows none: the 3xx is the result.
	res, err = local(Options{MaxRedirects: -1}).Do(context.Background(), integration.Request{URL: srv.URL + "/r/1"})
	if err != nil || res.Status != http.StatusFound || res.Header.Get("Location") != "/r/0" {
		t.Errorf("MaxRedirects -1: %v, %+v; want the 302 itself", err, res)
	}
}

func TestCheckRedirect(t *testing.T) {
	mk := func(raw string) *http.Request {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		return &http.Request{URL: u}
	}
	via := func(n int) []*http.Request {
		v := make([]*http.Request, n)
		for i := range v {
			v[i] = mk("https://example.com/")
		}
		return v
	}
	cases := []struct {
		max    int
		target string
		via    int
		want   error
	}{
		{10, "https://example.com/next", 1, nil},
		{10, "http://example.com/next", 10, nil},
		{10, "http://example.com/next", 11, ErrRedirect},
		{3, "http://example.com/", 3, nil},
		{3, "http://example.com/", 4, ErrRedirect},
		{10, "file:///etc/passwd", 1, ErrRedirect},
		{10, "gopher://example.com/", 1, ErrRedirect},
		{10, "ftp://example.com/", 1, ErrRedirect},
		{-1, "https://example.com/", 1, http.ErrUseLastResponse},
	}
	for _, tc := range cases {
		err := checkRedirect(tc.max)(mk(tc.target), via(tc.via))
		if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("max %d, %s after %d: %v, want %v", tc.max, tc.target, tc.via, err, tc.want)
		}
	}
}

func TestDoInvalidURL(t *testing.T) {
	c := local(Options{})
	for _, raw := range []string{"", "ftp://example.com/x", "example.com/hook", "http://", "http://exa mple.com/", "file:///etc/passwd", "http://%zz/"} {
		_, err := c.Do(context.Background(), integration.Request{URL: raw})
		if !errors.Is(err, ErrInvalidURL) {
			t.Errorf("Do(%q) = %v, want ErrInvalidURL", raw, err)
		}
		if o := Classify(nil, err); o.Retry {
			t.Errorf("Classify(invalid URL %q) = %+v, want final", raw, o)
		}
	}
}
