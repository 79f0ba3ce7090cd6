package integrationtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/mail"
)

// Fixtures is where the GitLab webhook fixtures live, seen from the
// directory of an integration's package (internal/integration/<name>).
const Fixtures = "../../event/testdata"

// Fixture reads a fixture and returns it with the X-Gitlab-Event header
// GitLab sends it under, named after its object_kind ("merge_request" is
// sent as "Merge Request Hook", "build" as "Job Hook").
func Fixture(t testing.TB, file string) (header string, body []byte) {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(Fixtures, file))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ObjectKind string `json:"object_kind"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	kind := doc.ObjectKind
	if kind == "build" {
		kind = "job"
	}
	words := strings.Split(kind, "_")
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ") + " Hook", body
}

// FixtureFiles are the names of the fixtures.
func FixtureFiles(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(Fixtures, "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures in %s: %v", Fixtures, err)
	}
	for i, p := range paths {
		paths[i] = filepath.Base(p)
	}
	return paths
}

// Event reads a fixture, lets change (when not nil) edit its JSON, and
// parses it under header (the fixture's own when "").
func Event(t testing.TB, file, header string, change func(m map[string]any)) *event.Event {
	t.Helper()
	own, body := Fixture(t, file)
	if change != nil {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		change(m)
		var err error
		if body, err = json.Marshal(m); err != nil {
			t.Fatal(err)
		}
	}
	if header == "" {
		header = own
	}
	ev, err := event.Parse(header, body)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// Attrs is the object_attributes of a fixture's JSON, for changes.
func Attrs(m map[string]any) map[string]any { return m["object_attributes"].(map[string]any) }

// Props are a service's resolved properties: base with changes, given as
// name, value, name, value...; a nil value removes the property.
func Props(base map[string]any, changes ...any) map[string]any {
	s := make(map[string]any, len(base))
	for k, v := range base {
		s[k] = v
	}
	for i := 0; i+1 < len(changes); i += 2 {
		if changes[i+1] == nil {
			delete(s, changes[i].(string))
			continue
		}
		s[changes[i].(string)] = changes[i+1]
	}
	return s
}

// Dump writes requests as golden files show them: for each, the method
// and URL, the headers in name order, then the body, decoded first when it
// is JSON (indented) or a form (one field a line, in order, a JSON value
// indented), then as sent.
// A request whose answer decides what comes next says so.
func Dump(reqs ...integration.Request) []byte {
	var out bytes.Buffer
	for i, r := range reqs {
		if i > 0 {
			out.WriteString("\n----\n\n")
		}
		if r.Mail != nil {
			out.Write(DumpMail(r.Mail))
			continue
		}
		fmt.Fprintf(&out, "%s %s\n", r.Method, r.URL)
		names := make([]string, 0, len(r.Header))
		for name := range r.Header {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			for _, v := range r.Header[name] {
				fmt.Fprintf(&out, "%s: %s\n", name, v)
			}
		}
		if r.Then != nil {
			out.WriteString("# what is sent next depends on the answer\n")
		}
		if len(r.Body) == 0 {
			continue
		}
		switch ct := r.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "application/json"):
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, r.Body, "", "  "); err != nil {
				fmt.Fprintf(&out, "\n# body is not JSON: %v\n", err)
				break
			}
			fmt.Fprintf(&out, "\n# JSON, indented\n%s\n", pretty.Bytes())
		case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
			out.WriteString("\n# form, decoded\n")
			for _, field := range strings.Split(string(r.Body), "&") {
				name, value, _ := strings.Cut(field, "=")
				if v, err := url.QueryUnescape(value); err == nil {
					value = v
				}
				var pretty bytes.Buffer
				if strings.HasPrefix(value, "{") && json.Indent(&pretty, []byte(value), "", "  ") == nil {
					fmt.Fprintf(&out, "%s: (JSON, indented)\n%s\n", name, pretty.Bytes())
					continue
				}
				fmt.Fprintf(&out, "%s: %q\n", name, value)
			}
		}
		fmt.Fprintf(&out, "\n# body\n%s\n", r.Body)
	}
	return out.Bytes()
}

// DumpMail is an email as it is sent, for golden files: its envelope, the
// message's headers (with a fixed Date and Message-ID, MIME boundaries
// numbered), then each part's headers and its body decoded from its
// transfer encoding. The message is parsed back as a mail reader would,
// so a golden file also shows that it parses.
func DumpMail(m *integration.Mail) []byte {
	var out bytes.Buffer
	fmt.Fprintf(&out, "# SMTP envelope: from %s to %s\n", m.From, strings.Join(slices.Concat(m.To, m.Bcc), ", "))
	raw, err := mail.Render(m, time.Date(2019, 11, 22, 12, 0, 0, 0, time.UTC), "golden@glint.test")
	if err != nil {
		fmt.Fprintf(&out, "# the message does not render: %v\n", err)
		return out.Bytes()
	}
	head, _, _ := bytes.Cut(raw, []byte("\n\n"))
	out.Write(head)
	out.WriteString("\n")
	parts, err := mail.Parts(raw)
	if err != nil {
		fmt.Fprintf(&out, "# the message does not parse: %v\n", err)
		return out.Bytes()
	}
	for _, p := range parts {
		fmt.Fprintf(&out, "\n# part %s (%s)\n%s", p.ContentType, p.Encoding, p.Body)
	}
	return out.Bytes()
}

// Project is the glint project the integrations' tests use.
var Project = integration.Project{ID: 1, Name: "Gitlab Test", FullName: "Gitlab Org / Gitlab Test", FullPath: "gitlab-org/gitlab-test",
	WebURL: "https://glint.example.com/gitlab-org/gitlab-test", DefaultBranch: "master"}

// Builder is the signature of an integration's Build.
type Builder func(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error)

// Case is one golden file of an integration: the requests built for a
// fixture (parsed under its own header unless Header is set, edited by
// Change when set) with Settings, written by Dump to
// testdata/<Golden>.golden. Requests is how many requests are expected
// (1 when 0).
type Case struct {
	Golden, File, Header string
	Change               func(m map[string]any)
	Settings             map[string]any
	Requests             int
}

// Goldens runs the cases as subtests against build and Project.
func Goldens(t *testing.T, build Builder, cases []Case) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Golden, func(t *testing.T) {
			reqs := Build(t, build, c.File, c.Header, c.Change, c.Settings)
			if want := max(c.Requests, 1); len(reqs) != want {
				t.Fatalf("%d requests, want %d", len(reqs), want)
			}
			Golden(t, filepath.Join("testdata", c.Golden+".golden"), Dump(reqs...))
		})
	}
}

// Build builds the requests for a fixture (see Event) with settings and
// Project, failing the test on an error.
func Build(t testing.TB, build Builder, file, header string, change func(m map[string]any), settings map[string]any) []integration.Request {
	t.Helper()
	reqs, err := build(Event(t, file, header, change), settings, Project)
	if err != nil {
		t.Fatal(err)
	}
	return reqs
}

// Cases are golden cases named after fixtures: "push" builds push.json.
func Cases(settings map[string]any, names ...string) []Case {
	cases := make([]Case, len(names))
	for i, name := range names {
		cases[i] = Case{Golden: name, File: name + ".json", Settings: settings}
	}
	return cases
}

// Refuses checks that build refuses the push fixture with each of
// settings, with an error that starts with prefix and quotes none of the
// secrets.
func Refuses(t *testing.T, build Builder, prefix string, secrets []string, settings ...map[string]any) {
	t.Helper()
	for _, s := range settings {
		reqs, err := build(Event(t, "push.json", "", nil), s, Project)
		if err == nil || reqs != nil || !strings.HasPrefix(err.Error(), prefix) {
			t.Errorf("settings %v: %d requests, error %v; want an error starting %q", s, len(reqs), err, prefix)
			continue
		}
		for _, secret := range secrets {
			AssertNoSecret(t, secret, err.Error(), fmt.Sprintf("%+v", err))
		}
	}
}
