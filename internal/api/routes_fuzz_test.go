package api_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/glint-dev/glint/internal/api"
	"github.com/glint-dev/glint/internal/auth"
	"github.com/glint-dev/glint/internal/delivery"
	"github.com/glint-dev/glint/internal/outbound"
	"github.com/glint-dev/glint/internal/store"
	"github.com/glint-dev/glint/internal/store/sqlstore"
)

// hostile are the values the fuzz starts from: malformed text, numbers out
// of range or of the wrong kind, path tricks, and sizes beyond the limits.
var hostile = []string{
	"", "\x00", "a\x00b", "\xff", "\xc3\x28", "%00", "%ff", "-1", "0", "1e3", "1.5", "99999999999999999999",
	"92233720368547760", "a/b", "..", "%2e%2e", "\u202e", "<script>", "' OR 1=1 --", "\r\nX: y", "[]", "{}",
	"null", "true", "http://2130706433/", "http://[::ffff:127.0.0.1]/", strings.Repeat("é", 300), strings.Repeat("x", 20000),
}

// routeParam matches a pattern's parameters ("{id}").
var routeParam = regexp.MustCompile(`\{([a-z_]+)\.*\}`)

// fuzzTarget is one engine's server for FuzzRoutes, with what the routes'
// parameters name when they are not the one being mutated.
type fuzzTarget struct {
	e        *testEnv
	name     string
	routes   []string
	defaults map[string]string // path parameters: project, user, ...
}

func newFuzzTarget(f *testing.F, eng engine) *fuzzTarget {
	e := newTestEnvOn(f, eng, defaultPolicy)
	e.withIdleQueue(f)
	ft := &fuzzTarget{e: e, name: eng.name, routes: e.handler.(*api.Server).Routes(),
		defaults: map[string]string{"slug": "slack", "delivery_id": "1", "group_id": "1"}}
	ft.restore(f)
	return ft
}

// restore puts back what earlier inputs may have deleted, so that every
// input finds the same world: an admin with a token (root's may have been
// revoked, root deleted), a project with an intake token and a Slack
// service, and another user.
func (ft *fuzzTarget) restore(t testing.TB) {
	ft.e.t = t // the env's helpers fail the input being run
	ctx := context.Background()
	st := ft.e.st
	admin, err := st.UserByUsername(ctx, "root")
	if tok, terr := st.TokenByHash(ctx, auth.Hash(ft.e.root)); err != nil || terr != nil || tok.Revoked {
		if err != nil {
			admin = &store.User{Username: "root", Name: "root", Email: "root@example.com", Admin: true}
			if err := st.CreateUser(ctx, admin); err != nil {
				t.Fatal(err)
			}
		}
		ft.e.root = ft.e.token(admin.ID, []string{auth.ScopeAPI}, nil)
	}
	if p, err := st.ProjectByFullPath(ctx, "root/demo"); err == nil {
		ft.defaults["id"] = fmt.Sprint(p.ID)
	} else {
		p := &store.Project{Name: "demo", Path: "demo", NamespaceID: admin.NamespaceID, CreatorID: admin.ID}
		if err := st.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := st.SetIntakeTokenHash(ctx, p.ID, auth.Hash("intake")); err != nil {
			t.Fatal(err)
		}
		ft.defaults["id"] = fmt.Sprint(p.ID)
		ft.e.must(200, "PUT", "/api/v4/projects/"+ft.defaults["id"]+"/services/slack", ft.e.root, `{"webhook":"https://hooks.slack.com/services/T/B/X"}`)
	}
	u, err := st.UserByUsername(ctx, "other")
	if err != nil {
		u, _ = ft.e.user("other")
	}
	ft.defaults["user_id"] = fmt.Sprint(u.ID)
}

// fuzzRequest builds the request of one input: route picks the route,
// where what to mutate (a path parameter, the query, a header, a JSON,
// form or multipart field, or the whole body) and value is put there.
func fuzzRequest(pattern string, defaults map[string]string, where uint8, field, value string) *http.Request {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "GET", pattern+"anything"
	}
	params := routeParam.FindAllStringSubmatch(path, -1)
	kinds := len(params) + 7
	k := int(where) % kinds
	segment := func(name string) string { return defaults[name] }
	if k < len(params) {
		target := params[k][1]
		segment = func(name string) string {
			if name == target {
				return url.PathEscape(value)
			}
			return defaults[name]
		}
	}
	path = routeParam.ReplaceAllStringFunc(path, func(p string) string { return segment(routeParam.FindStringSubmatch(p)[1]) })
	k -= len(params)
	query := url.Values{}
	var body []byte
	ctype := ""
	header := http.Header{}
	if field == "" {
		field = "name"
	}
	switch k {
	case 0: // the query
		query.Set(field, value)
		query.Set("page", value)
	case 1: // a header glint reads
		names := []string{"Private-Token", "X-Gitlab-Event", "X-Gitlab-Event-Uuid", "X-Gitlab-Token", "If-Unmodified-Since", "Content-Type", "X-Request-Id", "Authorization"}
		header[names[len(value)%len(names)]] = []string{value}
	case 2: // a JSON string field
		body, _ = json.Marshal(map[string]any{field: value})
		body = bytes.ReplaceAll(body, []byte(`\ufffd`), []byte(value)) // keep invalid UTF-8 invalid
		ctype = "application/json"
	case 3: // a JSON value as it is
		body, ctype = []byte(`{"`+field+`":`+value+`}`), "application/json"
	case 4: // a form field
		body, ctype = []byte(url.QueryEscape(field)+"="+url.QueryEscape(value)), "application/x-www-form-urlencoded"
	case 5: // a multipart field
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField(field, value)
		_ = mw.Close()
		body, ctype = b.Bytes(), mw.FormDataContentType()
	default: // the whole body, as JSON
		body, ctype = []byte(value), "application/json"
	}
	target := path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	r := httptest.NewRequest(method, "/", bytes.NewReader(body))
	r.URL.Path, r.URL.RawPath, r.URL.RawQuery = "", "", ""
	u, err := url.Parse(target)
	if err != nil {
		u = &url.URL{Path: "/api/v4/invalid"}
	}
	r.URL = u
	r.RequestURI = u.RequestURI()
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	for k, v := range header {
		r.Header[k] = v
	}
	return r
}

// fields are the parameter names the body mutations use.
var fields = []string{"name", "path", "username", "email", "webhook", "scopes", "access_level", "user_id", "push_events",
	"description", "visibility", "parent_id", "namespace_id", "expires_at", "object_kind", "recipients", "project_name"}

// FuzzRoutes sends hostile values through every route of the router, on
// both engines: whatever the input, the answer is below 500 and, if an
// error, in GitLab's shape ({"message": ...} or {"error": ...}). The routes
// are the router's own list (Server.Routes), so a new route is fuzzed by
// being registered. The seed corpus runs with the suite.
//
// POST .../services/:slug/test is left out: it sends to the service's URL
// now, and an input may set that URL to any host (the tests of
// services_test.go cover it on 127.0.0.1).
//
//	go test -run XXX -fuzz FuzzRoutes -fuzztime 10m -fuzzminimizetime 3s ./internal/api
//
// (a short -fuzzminimizetime: the default minute spent shrinking each new
// input, some of them 20,000 characters long, leaves little time to fuzz).
func FuzzRoutes(f *testing.F) {
	var targets []*fuzzTarget
	for _, eng := range engines() {
		if eng.name == "postgres" && !postgresAvailable() {
			continue
		}
		targets = append(targets, newFuzzTarget(f, eng))
	}
	routes := targets[0].routes
	for i := range routes {
		for j, v := range hostile {
			f.Add(uint8(i), uint8(j), uint8(j%len(fields)), v)
		}
	}
	f.Fuzz(func(t *testing.T, route, where, field uint8, value string) {
		pattern := routes[int(route)%len(routes)]
		if strings.HasSuffix(pattern, "/test") {
			return
		}
		for _, ft := range targets {
			r := fuzzRequest(pattern, ft.defaults, where, fields[int(field)%len(fields)], value)
			if r.Header.Get("Private-Token") == "" && r.Header.Get("Authorization") == "" {
				r.Header.Set("Private-Token", ft.e.root)
			}
			if r.Header.Get("X-Gitlab-Token") == "" {
				r.Header.Set("X-Gitlab-Token", "intake")
			}
			rec := httptest.NewRecorder()
			ft.e.handler.ServeHTTP(rec, r)
			checkAnswer(t, ft.name, pattern, r, rec)
			ft.restore(t)
		}
	})
}

func checkAnswer(t *testing.T, engine, pattern string, r *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	what := fmt.Sprintf("%s: %s %q (route %s)", engine, r.Method, r.URL.String(), pattern)
	if rec.Code >= 500 {
		t.Fatalf("%s: status %d: %.300s", what, rec.Code, rec.Body)
	}
	if rec.Code < 400 || !strings.HasPrefix(r.URL.Path, "/api/v4/") && !strings.HasPrefix(r.URL.Path, "/hooks/") {
		return
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body) == 0 {
		t.Fatalf("%s: status %d with a body that is not a JSON object: %.300s", what, rec.Code, rec.Body)
	}
	if _, ok := body["message"]; !ok {
		if _, ok := body["error"]; !ok {
			t.Fatalf("%s: status %d without message or error: %.300s", what, rec.Code, rec.Body)
		}
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s: status %d as %q", what, rec.Code, ct)
	}
}

// withIdleQueue gives the env the real delivery half (intake, retry) with
// a queue that is never started: jobs are written, none is worked, so
// nothing is sent anywhere whatever the inputs configure.
func (e *testEnv) withIdleQueue(t testing.TB) {
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	client := outbound.New(outbound.Options{Timeout: time.Second})
	d := delivery.NewDeliverer(e.st, e.keys, client, delivery.Config{MaxAttempts: 3, BaseURL: "http://glint.test"}, log, nil)
	var q *delivery.Queue
	var err error
	if e.dsn != "" {
		pool, perr := pgxpool.New(ctx, e.dsn)
		if perr != nil {
			t.Fatal(perr)
		}
		t.Cleanup(pool.Close)
		q, err = delivery.NewPostgresQueue(ctx, pool, d, delivery.QueueConfig{Logger: log})
	} else {
		raw, oerr := sql.Open("sqlite", sqlstore.SQLiteDSN(e.dbPath))
		if oerr != nil {
			t.Fatal(oerr)
		}
		raw.SetMaxOpenConns(1)
		t.Cleanup(func() { raw.Close() })
		q, err = delivery.NewSQLiteQueue(ctx, raw, d, delivery.QueueConfig{Logger: log})
	}
	if err != nil {
		t.Fatal(err)
	}
	e.handler = api.New(api.Options{Store: e.st, Sealer: e.keys, Policy: defaultPolicy, Version: "test", BaseURL: "http://glint.test",
		Logger: slog.New(slog.NewJSONHandler(e.logs, nil)), Events: delivery.NewPipeline(e.st, q, d)})
}
