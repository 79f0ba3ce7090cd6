package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/secret"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store/sqlstore"
	"github.com/glint-dev/glint/internal/store/storetest/pgtest"
)

// pgNodes starts n glint nodes at once on one PostgreSQL database with the
// same secret key, waits until all are ready and returns them with root's
// token, checking that exactly one node printed it.
func pgNodes(t *testing.T, dsn, key string, names ...string) ([]*proc, string) {
	t.Helper()
	env := []string{"GLINT_SECRET_KEY=" + key}
	nodes := make([]*proc, len(names))
	for i, name := range names {
		nodes[i] = serve(t, name, filepath.Join(t.TempDir(), name), env, "--database", dsn, "--db-pool-size", "8")
	}
	var token string
	printed := 0
	for _, n := range nodes {
		n.waitReady(30 * time.Second)
	}
	for _, n := range nodes {
		if tok := tokenRE.FindString(n.stdout.String()); tok != "" {
			printed++
			token = tok
		}
	}
	if printed != 1 {
		for _, n := range nodes {
			t.Logf("%s stdout: %q", n.name, n.stdout.String())
		}
		t.Fatalf("the root token was printed by %d nodes, want exactly 1", printed)
	}
	return nodes, token
}

// refuseOtherKey starts a node with another secret key on dsn and requires
// it to exit non-zero, saying why, without ever serving.
func refuseOtherKey(t *testing.T, dsn string) {
	t.Helper()
	c := serve(t, "other key", t.TempDir(), []string{"GLINT_SECRET_KEY=" + newSecretKey(t)}, "--database", dsn)
	if code := c.exitCode(30 * time.Second); code == 0 {
		t.Fatalf("a node with another GLINT_SECRET_KEY exited 0\nstderr:\n%s", c.stderr.String())
	}
	msg := c.stderr.String()
	if !strings.Contains(strings.ToLower(msg), "secret key") {
		t.Errorf("the refusal does not mention the secret key: %q", msg)
	}
	if strings.Contains(msg, "glint listening") {
		t.Errorf("the node with another key listened before refusing:\n%s", msg)
	}
}

// TestTwoNodesPostgres: two nodes started together on one database migrate
// once and bootstrap once; what one writes the other reads at once, tokens
// made on one work on the other, and a node with another key is refused.
func TestTwoNodesPostgres(t *testing.T) {
	dsn := pgtest.Postgres(t)
	nodes, token := pgNodes(t, dsn, newSecretKey(t), "A", "B")
	a, b := nodes[0], nodes[1]

	call(t, "POST", a.url("/api/v4/projects"), token, url.Values{"name": {"demo"}}, 201, nil)
	put := call(t, "PUT", a.url("/api/v4/projects/root%2Fdemo/services/slack"), token, chatForm("hooks.slack.com", 7), 200, nil)
	if i := checkChat(t, "PUT through A", "hooks.slack.com", put.body); i != 7 {
		t.Fatalf("PUT through A answered write %d", i)
	}
	fromB := call(t, "GET", b.url("/api/v4/projects/1/services/slack"), token, nil, 200, nil)
	fromA := call(t, "GET", a.url("/api/v4/projects/1/services/slack"), token, nil, 200, nil)
	if !bytes.Equal(fromB.body, put.body) || !bytes.Equal(fromA.body, put.body) {
		t.Errorf("the service read back differs:\nPUT via A: %s\nGET via A: %s\nGET via B: %s", put.body, fromA.body, fromB.body)
	}

	var created struct {
		Token  string   `json:"token"`
		Scopes []string `json:"scopes"`
	}
	call(t, "POST", b.url("/api/v4/users/1/personal_access_tokens"), token,
		url.Values{"name": {"made-on-b"}, "scopes[]": {"api"}}, 201, &created)
	if !tokenRE.MatchString(created.Token) {
		t.Fatalf("token created on B: %+v", created)
	}
	if u := whoami(t, a, created.Token); u.Username != "root" {
		t.Errorf("token made on B, used on A: %+v", u)
	}
	call(t, "GET", a.url("/api/v4/projects/1/services/slack"), created.Token, nil, 200, nil)

	refuseOtherKey(t, dsn)
	// The refused node changed nothing: A and B still serve.
	call(t, "GET", b.url("/api/v4/projects/1/services/slack"), created.Token, nil, 200, nil)
	a.stop()
	b.stop()
}

// TestConcurrentWritesTwoNodes: 50 concurrent full PUTs of the same
// services through two nodes all succeed, and each service ends up with the
// fields of a single write, never a mix.
func TestConcurrentWritesTwoNodes(t *testing.T) {
	dsn := pgtest.Postgres(t)
	key := newSecretKey(t)
	nodes, token := pgNodes(t, dsn, key, "A", "B")
	call(t, "POST", nodes[0].url("/api/v4/projects"), token, url.Values{"name": {"demo"}}, 201, nil)
	const base = "/api/v4/projects/1/services/"

	const writers = 50
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := nodes[i%2]
			<-start
			if (i/2)%2 == 0 {
				r, err := do(httpClient, "PUT", n.url(base+"slack"), token, chatForm("hooks.slack.com", i))
				if err != nil || r.status != 200 {
					t.Errorf("writer %d: PUT slack through %s: %v %v", i, n.name, r, err)
					return
				}
				if got := checkChat(t, fmt.Sprintf("writer %d's answer", i), "hooks.slack.com", r.body); got != i {
					t.Errorf("writer %d: the answer shows write %d", i, got)
				}
				return
			}
			r, err := do(httpClient, "PUT", n.url(base+"mattermost"), token, chatForm("mm.example.com", i))
			if err != nil || r.status != 200 {
				t.Errorf("writer %d: PUT mattermost through %s: %v %v", i, n.name, r, err)
				return
			}
			if got := checkChat(t, fmt.Sprintf("writer %d's answer", i), "mm.example.com", r.body); got != i {
				t.Errorf("writer %d: the answer shows write %d", i, got)
			}
			r, err = do(httpClient, "PUT", n.url(base+"asana"), token,
				url.Values{"api_key": {fmt.Sprintf("k%d", i)}, "restrict_to_branch": {fmt.Sprintf("b%d", i)}})
			if err != nil || r.status != 200 {
				t.Errorf("writer %d: PUT asana through %s: %v %v", i, n.name, r, err)
			}
		}()
	}
	began := time.Now()
	close(start)
	waitGroup(t, &wg, 30*time.Second, "the writers")
	t.Logf("%d writers done in %s", writers, time.Since(began).Round(time.Millisecond))
	if t.Failed() {
		return
	}

	for _, n := range nodes {
		slack := call(t, "GET", n.url(base+"slack"), token, nil, 200, nil)
		i := checkChat(t, "final slack via "+n.name, "hooks.slack.com", slack.body)
		mm := call(t, "GET", n.url(base+"mattermost"), token, nil, 200, nil)
		j := checkChat(t, "final mattermost via "+n.name, "mm.example.com", mm.body)
		t.Logf("via %s: slack holds write %d, mattermost write %d", n.name, i, j)
	}

	// asana shows one field; its sealed api_key must be of the same write.
	var asana serviceJSON
	call(t, "GET", nodes[1].url(base+"asana"), token, nil, 200, &asana)
	var i int
	if _, err := fmt.Sscanf(fmt.Sprint(asana.Properties["restrict_to_branch"]), "b%d", &i); err != nil {
		t.Fatalf("asana: %+v", asana)
	}
	keys, err := secret.ParseKeys(key)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := secret.NewKeyring(keys...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := sqlstore.OpenPostgres(ctx, dsn, 2)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Service(ctx, 1, "asana")
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := ring.Open(rec.Sealed["api_key"], settings.AD("asana", "api_key")); err != nil || plain != fmt.Sprintf("k%d", i) {
		t.Errorf("asana: restrict_to_branch is write %d's but api_key is %q (%v)", i, plain, err)
	}
	for _, n := range nodes {
		n.stop()
	}
}

// tcpProxy forwards a loopback port to the PostgreSQL server. It can be cut
// (listener and every connection closed, so connecting is refused), stalled
// (everything stays open and silent, as behind a dropping firewall), and
// restored on the same port.
type tcpProxy struct {
	t      *testing.T
	addr   string
	target string

	mu       sync.Mutex
	ln       net.Listener
	gen      int                   // bumped by every cut: connections of an older one are dropped
	clients  map[net.Conn]struct{} // glint's side
	upstream map[net.Conn]struct{} // PostgreSQL's side
	stalled  bool
	wg       sync.WaitGroup
}

func newProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{t: t, addr: ln.Addr().String(), target: target,
		clients: map[net.Conn]struct{}{}, upstream: map[net.Conn]struct{}{}}
	p.up(ln)
	t.Cleanup(func() {
		p.cut()
		done := make(chan struct{})
		go func() { p.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("proxy goroutines did not end")
		}
	})
	return p
}

func (p *tcpProxy) up(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	gen := p.gen
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.forward(c, gen)
			}()
		}
	}()
}

// track registers c in set, unless the proxy was cut since generation gen,
// in which case it closes c. It reports whether the proxy is stalled.
func (p *tcpProxy) track(set map[net.Conn]struct{}, c net.Conn, gen int) (ok, stalled bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil || p.gen != gen {
		c.Close()
		return false, false
	}
	set[c] = struct{}{}
	return true, p.stalled
}

func (p *tcpProxy) forward(c net.Conn, gen int) {
	ok, stalled := p.track(p.clients, c, gen)
	if !ok || stalled {
		return // a stalled connection is held open, unanswered, until cut
	}
	up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		c.Close()
		return
	}
	if ok, stalled := p.track(p.upstream, up, gen); !ok || stalled {
		up.Close()
		return
	}
	var copies sync.WaitGroup
	copies.Add(2)
	go func() {
		defer copies.Done()
		_, _ = io.Copy(up, c)
		up.Close()
	}()
	go func() {
		defer copies.Done()
		_, _ = io.Copy(c, up)
		// PostgreSQL's side is gone: so is glint's, unless the proxy
		// stalls, when glint's stays open and silent.
		p.mu.Lock()
		if !p.stalled {
			c.Close()
		}
		p.mu.Unlock()
	}()
	copies.Wait()
	p.mu.Lock()
	delete(p.upstream, up)
	p.mu.Unlock()
}

// stall cuts PostgreSQL off without glint noticing: its connections stay
// open and new ones are accepted, but nothing is forwarded either way.
func (p *tcpProxy) stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stalled = true
	for c := range p.upstream {
		c.Close()
	}
}

// cut closes the listener and every connection through the proxy.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, set := range []map[net.Conn]struct{}{p.clients, p.upstream} {
		for c := range set {
			c.Close()
			delete(set, c)
		}
	}
	p.gen++
	p.stalled = false
}

// restore listens again on the same port (after a cut).
func (p *tcpProxy) restore() {
	p.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ln, err := net.Listen("tcp", p.addr)
		if err == nil {
			p.up(ln)
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("proxy: listening again on %s: %v", p.addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// proxied returns dsn pointed at a new proxy to its server.
func proxied(t *testing.T, dsn string) (string, *tcpProxy) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		t.Skipf("the outage test needs a postgres:// URL with a host in %s", pgtest.EnvVar)
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "5432")
	}
	p := newProxy(t, target)
	u.Host = p.addr
	return u.String(), p
}

const unavailableBody = `{"message":"503 Service Unavailable"}`

// TestDatabaseOutage: with the database cut off glint answers 503 (never
// 500, never hangs) and reports not ready; when the database returns it
// recovers by itself, and a write made then is stored whole.
func TestDatabaseOutage(t *testing.T) {
	dsn, proxy := proxied(t, pgtest.Postgres(t))
	n := serve(t, "node", t.TempDir(), []string{"GLINT_SECRET_KEY=" + newSecretKey(t)},
		"--database", dsn, "--request-timeout", "2s")
	n.waitReady(30 * time.Second)
	token := tokenRE.FindString(n.stdout.String())
	call(t, "POST", n.url("/api/v4/projects"), token, url.Values{"name": {"demo"}}, 201, nil)
	slack := n.url("/api/v4/projects/1/services/slack")
	call(t, "PUT", slack, token, chatForm("hooks.slack.com", 1), 200, nil)
	call(t, "GET", slack, token, nil, 200, nil)
	call(t, "GET", n.url("/-/readiness"), "", nil, 200, nil)

	client := *httpClient
	client.Timeout = 5 * time.Second

	// expect polls a request until it answers want, within limit; any
	// answer but want and allowed is a failure, and so is a transport
	// error (a hang hits the client's timeout).
	expect := func(what, method, u string, form url.Values, want int, allowed int, limit time.Duration) response {
		t.Helper()
		deadline := time.Now().Add(limit)
		for {
			began := time.Now()
			r, err := do(&client, method, u, token, form)
			if err != nil {
				t.Fatalf("%s: %s %s: no answer after %s: %v", what, method, u, time.Since(began).Round(time.Millisecond), err)
			}
			if r.status == want {
				return r
			}
			if r.status != allowed {
				t.Fatalf("%s: %s %s answered %s, want %d", what, method, u, r, want)
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %s %s still answers %s after %s, want %d", what, method, u, r, limit, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	proxy.cut()
	r := expect("outage", "GET", slack, nil, 503, 200, 5*time.Second)
	if got := string(bytes.TrimSpace(r.body)); got != unavailableBody {
		t.Errorf("503 body %q, want %q", got, unavailableBody)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("503 Content-Type %q", ct)
	}
	// Every kind of request keeps answering 503 while the outage lasts.
	for range 3 {
		for _, c := range []struct{ method, path string }{
			{"GET", "/api/v4/projects/1/services/slack"},
			{"GET", "/api/v4/projects/1/services"},
			{"PUT", "/api/v4/projects/1/services/slack"},
			{"GET", "/api/v4/user"},
			{"POST", "/api/v4/projects"},
		} {
			var form url.Values
			if c.method != "GET" {
				form = chatForm("hooks.slack.com", 99)
				form.Set("name", "other")
			}
			r := expect("outage", c.method, n.url(c.path), form, 503, 503, 0)
			if got := string(bytes.TrimSpace(r.body)); got != unavailableBody {
				t.Errorf("%s %s: 503 body %q", c.method, c.path, got)
			}
		}
		expect("outage", "GET", n.url("/-/readiness"), nil, 503, 503, 0)
	}

	proxy.restore()
	began := time.Now()
	expect("recovery", "GET", n.url("/-/readiness"), nil, 200, 503, 10*time.Second)
	expect("recovery", "GET", slack, nil, 200, 503, 10*time.Second-time.Since(began))
	t.Logf("recovered in %s", time.Since(began).Round(time.Millisecond))

	put := call(t, "PUT", slack, token, chatForm("hooks.slack.com", 2), 200, nil)
	if i := checkChat(t, "PUT after recovery", "hooks.slack.com", put.body); i != 2 {
		t.Errorf("PUT after recovery answered write %d", i)
	}
	got := call(t, "GET", slack, token, nil, 200, nil)
	if i := checkChat(t, "GET after recovery", "hooks.slack.com", got.body); i != 2 {
		t.Errorf("GET after recovery shows write %d, want 2", i)
	}
	var a, b any
	if json.Unmarshal(put.body, &a) != nil || json.Unmarshal(got.body, &b) != nil || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("GET after recovery differs from the PUT's answer:\n%s\n%s", put.body, got.body)
	}

	// A silent network (packets dropped, nothing refused or reset) must
	// not hang requests either: they time out into 503.
	proxy.stall()
	began = time.Now()
	r = expect("stall", "GET", slack, nil, 503, 200, 5*time.Second)
	t.Logf("stalled database: first 503 after %s", time.Since(began).Round(time.Millisecond))
	if got := string(bytes.TrimSpace(r.body)); got != unavailableBody {
		t.Errorf("503 body %q, want %q", got, unavailableBody)
	}
	expect("stall", "GET", n.url("/-/readiness"), nil, 503, 503, 0)
	proxy.cut()
	proxy.restore()
	began = time.Now()
	expect("recovery from stall", "GET", slack, nil, 200, 503, 10*time.Second)
	t.Logf("recovered from the stall in %s", time.Since(began).Round(time.Millisecond))
	put = call(t, "PUT", slack, token, chatForm("hooks.slack.com", 3), 200, nil)
	got = call(t, "GET", slack, token, nil, 200, nil)
	if i := checkChat(t, "GET after the stall", "hooks.slack.com", got.body); i != 3 || !bytes.Equal(put.body, got.body) {
		t.Errorf("GET after the stall shows write %d:\n%s\nPUT answered:\n%s", i, got.body, put.body)
	}
	n.stop()
}
