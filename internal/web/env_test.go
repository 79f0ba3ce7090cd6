package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/api"
	"github.com/glint-dev/glint/internal/app"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
	"github.com/glint-dev/glint/internal/store/sqlstore"
	"github.com/glint-dev/glint/internal/store/storetest/pgtest"
	"github.com/glint-dev/glint/internal/web"
)

// engine names a database: SQLite always, PostgreSQL when
// GLINT_TEST_POSTGRES is set (required in CI).
type engine string

func forEachEngine(t *testing.T, fn func(t *testing.T, e engine)) {
	for _, e := range []engine{"sqlite", "postgres"} {
		t.Run(string(e), func(t *testing.T) { fn(t, e) })
	}
}

// config makes a data directory and, on PostgreSQL, a fresh database.
func (e engine) config(t *testing.T) app.Config {
	cfg := app.Config{DataDir: t.TempDir(), PoolSize: 6}
	if e == "postgres" {
		cfg.Database = pgtest.Postgres(t)
	}
	return cfg
}

// clock is the pages' clock, moved by tests.
type clock struct {
	mu sync.Mutex
	at time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() {
		return time.Now()
	}
	return c.at
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = t
}

// env is a glint node (API and pages, with its delivery half) on a real
// HTTP server on 127.0.0.1.
type env struct {
	t      *testing.T
	cfg    app.Config
	st     *sqlstore.DB
	srv    *httptest.Server
	root   string // root's API token
	rootPW string
	clock  *clock
}

type envOptions struct {
	cfg     *app.Config // share another node's database
	limits  [2]int      // sign-in failures allowed per account, per address
	baseURL string
}

func newEnv(t *testing.T, eng engine, o envOptions) *env {
	ctx := context.Background()
	e := &env{t: t, clock: &clock{}}
	if o.cfg != nil {
		e.cfg = *o.cfg
	} else {
		e.cfg = eng.config(t)
	}
	st, err := app.OpenStore(ctx, e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st
	keys, err := app.LoadKeys(ctx, e.cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	if o.cfg == nil {
		if e.root, err = app.Bootstrap(ctx, e.cfg, st); err != nil {
			t.Fatal(err)
		}
		if e.rootPW, err = app.BootstrapPassword(ctx, e.cfg, st); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.DiscardHandler)
	dl, err := app.StartDelivery(ctx, e.cfg, st, keys, app.DeliveryConfig{Workers: 2, MaxAttempts: 1, Deadline: time.Hour,
		AttemptTimeout: 5 * time.Second, FetchPoll: 20 * time.Millisecond, Sweep: time.Minute, AllowLocal: true, BaseURL: "http://glint.test"}, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		dl.Stop(sctx)
	})
	policy := settings.Policy{AllowLocal: true}
	e.srv = httptest.NewUnstartedServer(nil)
	base := o.baseURL
	if base == "" {
		base = "http://" + e.srv.Listener.Addr().String()
	}
	pages := web.New(web.Options{Store: st, Sealer: keys, Policy: policy, Events: dl.Pipeline, Circuits: web.DeliveryCircuits(dl.Pipeline),
		BaseURL: base, Logger: log, Now: e.clock.now, AccountFailures: o.limits[0], AddressFailures: o.limits[1]})
	e.srv.Config.Handler = api.New(api.Options{Store: st, Sealer: keys, Policy: policy, Events: dl.Pipeline, Logger: log,
		BaseURL: base, Web: pages})
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return e
}

// user makes a user with a password and a role on the project (0: none).
func (e *env) user(name string, projectID int64, level int) *store.User {
	e.t.Helper()
	ctx := context.Background()
	u := &store.User{Username: name, Name: name, Email: name + "@example.com"}
	if err := e.st.CreateUser(ctx, u); err != nil {
		e.t.Fatal(err)
	}
	if err := app.SetPassword(ctx, e.st, name, name+"-password"); err != nil {
		e.t.Fatal(err)
	}
	if level > 0 {
		if err := e.st.SetMember(ctx, store.ProjectSource, projectID, store.Member{UserID: u.ID, AccessLevel: level}); err != nil {
			e.t.Fatal(err)
		}
	}
	return u
}

// project makes root/<path> (private).
func (e *env) project(path string) *store.Project {
	e.t.Helper()
	ctx := context.Background()
	root, err := e.st.UserByUsername(ctx, "root")
	if err != nil {
		e.t.Fatal(err)
	}
	p := &store.Project{Name: path, Path: path, NamespaceID: root.NamespaceID, CreatorID: root.ID, Visibility: "private"}
	if err := e.st.CreateProject(ctx, p); err != nil {
		e.t.Fatal(err)
	}
	p, err = e.st.Project(ctx, p.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// browser is a client with its own cookies that does not follow redirects.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, base: e.srv.URL, client: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is an answer.
type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(method, path string, form url.Values) page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return page{status: resp.StatusCode, header: resp.Header, body: string(data)}
}

func (b *browser) get(path string) page { return b.do("GET", path, nil) }

// must GETs a page and requires the status.
func (b *browser) must(status int, path string) page {
	b.t.Helper()
	p := b.get(path)
	if p.status != status {
		b.t.Fatalf("GET %s: %d, want %d\n%s", path, p.status, status, p.body)
	}
	return p
}

var tokenRE = regexp.MustCompile(`name="authenticity_token" value="([^"]+)"`)

// token is the CSRF token of a page's forms.
func (p page) token(t *testing.T) string {
	t.Helper()
	m := tokenRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no authenticity_token on the page:\n%s", p.body)
	}
	return m[1]
}

// submit posts a form of the page at path, with its CSRF token.
func (b *browser) submit(from page, action string, form url.Values) page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("authenticity_token", from.token(b.t))
	return b.do("POST", action, form)
}

// signIn signs in through the form and requires success.
func (b *browser) signIn(login, password string) {
	b.t.Helper()
	if p := b.trySignIn(login, password); p.status != http.StatusFound {
		b.t.Fatalf("sign in as %s: %d\n%s", login, p.status, p.body)
	}
}

func (b *browser) trySignIn(login, password string) page {
	b.t.Helper()
	form := b.must(200, "/users/sign_in")
	return b.submit(form, "/users/sign_in", url.Values{"user[login]": {login}, "user[password]": {password}})
}
