package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
)

// validParams fills every field of a service with a valid, recognisable
// value; event flags are all turned off so the change shows.
func validParams(s *catalog.Service) map[string]any {
	p := map[string]any{}
	for _, f := range s.Fields {
		switch {
		case f.Example != "":
			p[f.Name] = f.Example
		case len(f.Values) > 0:
			p[f.Name] = f.Values[len(f.Values)-1]
		case f.URL:
			p[f.Name] = "https://" + s.Slug + ".example.com/" + f.Name
		case f.Type == catalog.Bool:
			p[f.Name] = f.Default != true
		case f.Type == catalog.Int:
			p[f.Name] = 6697
		case f.Secret:
			p[f.Name] = "SECRET-" + s.Slug + "-" + f.Name
		default:
			p[f.Name] = "value-" + f.Name
		}
	}
	if s.ActiveFromField != "" {
		p[s.ActiveFromField] = true
	}
	for _, ev := range s.Events {
		p[ev.FlagName()] = false
	}
	return p
}

var volatile = regexp.MustCompile(`"(created_at|updated_at)":"[^"]+"`)

// normalise hides what changes between runs: timestamps.
func normalise(b []byte) []byte {
	return volatile.ReplaceAll(b, []byte(`"$1":"<time>"`))
}

// golden compares with testdata/<name>; -update rewrites it (the flag is
// integrationtest's).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	integrationtest.Golden(t, filepath.Join("testdata", name), got)
}

// TestServiceLifecycle walks every service through GET (never configured),
// PUT, GET, list and DELETE, comparing each entity with its golden file
// and checking what each step must have done.
func TestServiceLifecycle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newTestEnvOn(t, eng, defaultPolicy)
		pid := e.project("demo")
		for _, s := range catalog.All() {
			t.Run(s.Slug, func(t *testing.T) {
				base := fmt.Sprintf("/api/v4/projects/%d/services/%s", pid, s.Slug)
				var steps bytes.Buffer
				step := func(name string, r response) {
					steps.WriteString("// " + name + "\n")
					steps.Write(normalise(r.body))
				}
				def := e.must(200, "GET", base, e.root, nil)
				step("GET before any PUT", def)
				if m := def.json(t); m["id"] != nil || m["active"] != false {
					t.Fatalf("default object: %s", def.body)
				}
				params := validParams(s)
				put := e.must(200, "PUT", base, e.root, params)
				step("PUT with every field", put)
				got := e.must(200, "GET", strings.Replace(base, "/services/", "/integrations/", 1), e.root, nil)
				if !bytes.Equal(got.body, put.body) {
					t.Fatalf("GET after PUT differs from PUT's answer:\n%s\n%s", got.body, put.body)
				}
				checkProperties(t, s, params, got.json(t))
				list := e.must(200, "GET", fmt.Sprintf("/api/v4/projects/%d/services", pid), e.root, nil)
				if !bytes.Contains(list.body, []byte(`"slug":"`+s.Slug+`"`)) {
					t.Fatalf("list lacks %s: %s", s.Slug, list.body)
				}
				e.must(204, "DELETE", base, e.root, nil)
				after := e.must(200, "GET", base, e.root, nil)
				step("GET after DELETE", after)
				checkDeleted(t, s, after.json(t))
				golden(t, filepath.Join("services", s.Slug+".json"), steps.Bytes())
			})
		}
	})
}

func checkProperties(t *testing.T, s *catalog.Service, sent map[string]any, got map[string]any) {
	t.Helper()
	if got["active"] != true {
		t.Errorf("not active after PUT")
	}
	props := got["properties"].(map[string]any)
	for _, f := range s.Fields {
		v, shown := props[f.Name]
		if f.Hidden() {
			if shown {
				t.Errorf("hidden field %s returned", f.Name)
			}
			continue
		}
		want := sent[f.Name]
		if n, ok := want.(int); ok {
			want = float64(n)
		}
		if v != want {
			t.Errorf("%s = %#v, want %#v", f.Name, v, want)
		}
	}
	for _, ev := range s.Events {
		if k := ev.FlagName(); got[k] != nil && got[k] != false && isEntityFlag(ev) {
			t.Errorf("%s still %v after being set false", k, got[k])
		}
	}
}

func isEntityFlag(ev catalog.Event) bool {
	for _, e := range catalog.EntityFlags {
		if e == ev {
			return true
		}
	}
	return false
}

func checkDeleted(t *testing.T, s *catalog.Service, got map[string]any) {
	t.Helper()
	if got["active"] != false || got["id"] == nil {
		t.Errorf("after DELETE: active=%v id=%v, want inactive and kept", got["active"], got["id"])
	}
	for name, v := range got["properties"].(map[string]any) {
		if v != nil {
			t.Errorf("after DELETE %s = %v, want null", name, v)
		}
	}
}

// TestParameterSources: JSON, form and query string all work, with
// GitLab's coercions ("true", 1, "1").
func TestParameterSources(t *testing.T) {
	e := newTestEnv(t)
	pid := e.project("demo")
	base := fmt.Sprintf("/api/v4/projects/%d/services/", pid)

	// Form body.
	form := url.Values{"webhook": {"https://hooks.slack.com/x"}, "notify_only_broken_pipelines": {"0"}, "push_events": {"f"}, "username": {"bot"}}
	req := e.doRaw("PUT", base+"slack", "application/x-www-form-urlencoded", form.Encode())
	if req.status != 200 {
		t.Fatalf("form: %d %s", req.status, req.body)
	}
	m := req.json(t)
	props := m["properties"].(map[string]any)
	if props["notify_only_broken_pipelines"] != false || m["push_events"] != false || props["username"] != "bot" {
		t.Fatalf("form values not coerced: %s", req.body)
	}
	// Query string only, as GitLab's own spec flips a flag.
	q := e.must(200, "PUT", base+"slack?webhook=https://hooks.slack.com/x&push_events=true&notify_only_broken_pipelines=1", e.root, nil).json(t)
	if q["push_events"] != true || q["properties"].(map[string]any)["notify_only_broken_pipelines"] != true {
		t.Fatalf("query values not applied: %v", q)
	}
	// JSON numbers and strings for booleans and integers.
	j := e.must(200, "PUT", base+"irker", e.root, `{"recipients":"#glint","default_irc_uri":"irc://irc.example.com/","server_port":"6697","colorize_messages":1,"push_events":"0"}`).json(t)
	jp := j["properties"].(map[string]any)
	if jp["server_port"] != float64(6697) || jp["colorize_messages"] != true || j["push_events"] != false {
		t.Fatalf("JSON coercion: %v", j)
	}
	// Non-strict event flags are cast as Rails casts a boolean column.
	c := e.must(200, "PUT", base+"asana", e.root, `{"api_key":"k","push_events":"anything"}`).json(t)
	if c["push_events"] != true {
		t.Fatalf("Rails cast: %v", c["push_events"])
	}
	// Undeclared parameters are ignored; active cannot be turned off by PUT.
	u := e.must(200, "PUT", base+"asana", e.root, `{"api_key":"k","active":false,"bogus":1}`).json(t)
	if u["active"] != true {
		t.Fatal("PUT did not force active")
	}
}

func (e *testEnv) doRaw(method, path, ctype, body string) response {
	return e.do(method, path, e.root, []byte(body), "Content-Type", ctype)
}

// TestDocumentedAliases: the doc's spellings work.
func TestDocumentedAliases(t *testing.T) {
	e := newTestEnv(t)
	pid := e.project("demo")
	base := fmt.Sprintf("/api/v4/projects/%d/services/", pid)
	m := e.must(200, "PUT", base+"microsoft-teams", e.root, `{"webhook":"https://outlook.office.com/webhook/x","confidental_note_events":false}`).json(t)
	if m["confidential_note_events"] != false {
		t.Fatalf("confidental_note_events alias ignored: %v", m)
	}
	m = e.must(200, "PUT", base+"slack", e.root, `{"webhook":"https://hooks.slack.com/x","notify_only_default_branch":false}`).json(t)
	if m["properties"].(map[string]any)["branches_to_be_notified"] != "all" {
		t.Fatalf("notify_only_default_branch=false should mean all: %v", m["properties"])
	}
	m = e.must(200, "PUT", base+"slack", e.root, `{"webhook":"https://hooks.slack.com/x","notify_only_default_branch":true,"branches_to_be_notified":"protected"}`).json(t)
	if m["properties"].(map[string]any)["branches_to_be_notified"] != "protected" {
		t.Fatalf("branches_to_be_notified must win over the deprecated flag: %v", m["properties"])
	}
}

// TestPasswordResetOnURLChange: a new server URL without a new password
// forgets the old password (and so the service fails validation).
func TestPasswordResetOnURLChange(t *testing.T) {
	e := newTestEnv(t)
	pid := e.project("demo")
	path := fmt.Sprintf("/api/v4/projects/%d/services/jenkins", pid)
	e.must(200, "PUT", path, e.root, `{"jenkins_url":"https://ci.example.com","project_name":"p","username":"u","password":"pw"}`)
	e.must(200, "PUT", path, e.root, `{"jenkins_url":"https://ci.example.com","project_name":"q"}`)
	if !e.hasSealed(pid, "jenkins", "password") {
		t.Fatal("same URL: password must be kept")
	}
	e.must(200, "PUT", path, e.root, `{"jenkins_url":"https://other.example.com","project_name":"q"}`)
	if e.hasSealed(pid, "jenkins", "password") {
		t.Fatal("new URL without password: the old password must be forgotten")
	}
	e.must(200, "PUT", path, e.root, `{"jenkins_url":"https://third.example.com","project_name":"q","password":"new"}`)
	if !e.hasSealed(pid, "jenkins", "password") {
		t.Fatal("new URL with password: the new one must be kept")
	}
}

func (e *testEnv) hasSealed(pid int64, slug, field string) bool {
	sv, err := e.st.Service(context.Background(), pid, slug)
	if err != nil {
		e.t.Fatal(err)
	}
	return sv.Sealed[field] != ""
}

// TestSecretsNeverShown: secrets go in, and never come out of any
// endpoint, the logs, or the database file in clear.
func TestSecretsNeverShown(t *testing.T) {
	e := newTestEnv(t)
	pid := e.project("demo")
	var secrets []string
	for _, s := range catalog.All() {
		params := validParams(s)
		for _, f := range s.Fields {
			if f.Secret {
				secrets = append(secrets, params[f.Name].(string))
			}
		}
		path := fmt.Sprintf("/api/v4/projects/%d/services/%s?private_token=%s", pid, s.Slug, e.root)
		e.must(200, "PUT", path, "", params)
		body := string(e.must(200, "GET", path, "", nil).body)
		for _, sec := range secrets {
			if strings.Contains(body, sec) {
				t.Fatalf("%s: GET shows %s", s.Slug, sec)
			}
		}
	}
	if len(secrets) < 18 {
		t.Fatalf("only %d secrets exercised", len(secrets))
	}
	list := string(e.must(200, "GET", fmt.Sprintf("/api/v4/projects/%d/services", pid), e.root, nil).body)
	logs := e.logs.String()
	if e.dbPath == "" {
		t.Fatal("expected SQLite")
	}
	if db, ok := e.st.(interface{ Close() error }); ok {
		db.Close() // flush the WAL into the file
	}
	raw := readAll(t, e.dbPath)
	for _, sec := range secrets {
		for where, text := range map[string]string{"list": list, "logs": logs, "database": raw} {
			if strings.Contains(text, sec) {
				t.Errorf("%s shows %s", where, sec)
			}
		}
	}
	if strings.Contains(logs, e.root) {
		t.Error("logs show the private token given in the query string")
	}
	if !strings.Contains(raw, "v1:"+e.keys.CurrentID()) {
		t.Error("database holds no sealed value: the test looked at the wrong file")
	}
}

func readAll(t *testing.T, path string) string {
	var all []byte
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err == nil {
			all = append(all, b...)
		}
	}
	return string(all)
}

// TestConcurrentPutsKeepWholeWrites: many PUTs of the same service at once
// end in one of the writes, whole.
func TestConcurrentPutsKeepWholeWrites(t *testing.T) {
	e := newTestEnv(t)
	pid := e.project("demo")
	path := fmt.Sprintf("/api/v4/projects/%d/services/slack", pid)
	const n = 20
	errs := make(chan string, n)
	done := make(chan struct{})
	for i := 0; i < n; i++ {
		go func(i int) {
			defer func() { done <- struct{}{} }()
			body, _ := json.Marshal(map[string]any{"webhook": fmt.Sprintf("https://hooks.slack.com/%d", i), "username": fmt.Sprintf("u%d", i), "push_channel": fmt.Sprintf("c%d", i)})
			if r := e.do("PUT", path, e.root, body); r.status != 200 {
				errs <- fmt.Sprintf("%d: %s", r.status, r.body)
			}
		}(i)
	}
	for i := 0; i < n; i++ {
		<-done
	}
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
	sv, err := e.st.Service(context.Background(), pid, "slack")
	if err != nil {
		t.Fatal(err)
	}
	hook := sv.Properties["webhook"].(string)
	i := hook[strings.LastIndexByte(hook, '/')+1:]
	if sv.Properties["username"] != "u"+i || sv.Properties["push_channel"] != "c"+i {
		t.Fatalf("fields from different writes mixed: %v", sv.Properties)
	}
	all, _ := e.st.Services(context.Background(), pid)
	if len(all) != 1 {
		t.Fatalf("%d rows for one service", len(all))
	}
}
