package irker_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/irker"
	"github.com/glint-dev/glint/internal/netguard"
	"github.com/glint-dev/glint/internal/outbound"
)

var project = integration.Project{ID: 15, Name: "Diaspora", FullName: "Mike / Diaspora", FullPath: "mike/diaspora",
	WebURL: "https://glint.example.com/mike/diaspora", DefaultBranch: "master"}

// The channels of the settings below: GitLab's own spec case.
var channels = []string{"irc://chat.freenode.net/#commits", "irc://test.net/#test"}

// parse reads a fixture, lets change edit its JSON, and parses it.
func parse(t testing.TB, file string, change func(m map[string]any)) *event.Event {
	t.Helper()
	return integrationtest.Event(t, file, "", change)
}

// settings are an irker service's resolved properties, with changes.
func settings(changes ...any) map[string]any {
	s := map[string]any{
		"recipients":      "#commits irc://test.net/#test ftp://bad",
		"default_irc_uri": "irc://chat.freenode.net/",
		"server_host":     "irc.example.net",
		"server_port":     float64(6700), // as a number comes back from the store
	}
	for i := 0; i < len(changes); i += 2 {
		s[changes[i].(string)] = changes[i+1]
	}
	return s
}

const zeros = event.BlankSHA

func newBranch(m map[string]any) { m["before"] = zeros }

func deletedBranch(m map[string]any) {
	m["after"], m["checkout_sha"], m["commits"], m["total_commits_count"] = zeros, nil, []any{}, 0
}

func TestGolden(t *testing.T) {
	tests := []struct {
		golden string
		change func(m map[string]any)
		colors bool
	}{
		{"push", nil, false},
		{"push_colorized", nil, true},
		{"branch_created", newBranch, false},
		{"branch_created_colorized", newBranch, true},
		{"branch_deleted", deletedBranch, false},
		{"branch_deleted_colorized", deletedBranch, true},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			reqs, err := irker.Build(parse(t, "push.json", tt.change), settings("colorize_messages", tt.colors), project)
			if err != nil {
				t.Fatal(err)
			}
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.TCP != "irc.example.net:6700" || r.Method != "" || r.URL != "" || r.Header != nil || r.InsecureSkipVerify {
				t.Errorf("request %+v, want TCP to irc.example.net:6700 only", r)
			}
			var out bytes.Buffer
			fmt.Fprintf(&out, "TCP %s\n\n# messages, decoded\n", r.TCP)
			for _, l := range lines(t, r.Body) {
				fmt.Fprintf(&out, "%q\n", l.Privmsg)
			}
			fmt.Fprintf(&out, "\n# body\n%s", r.Body)
			integrationtest.Golden(t, filepath.Join("testdata", tt.golden+".golden"), out.Bytes())
		})
	}
}

type line struct {
	To      []string `json:"to"`
	Privmsg string   `json:"privmsg"`
}

// lines checks that body is lines of JSON objects with exactly the keys
// "to" (the channel list) and "privmsg", and returns them.
func lines(t testing.TB, body []byte) []line {
	t.Helper()
	if !bytes.HasSuffix(body, []byte("\n")) {
		t.Errorf("body %q does not end with a newline", body)
	}
	var out []line
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &keys); err != nil {
			t.Fatalf("line %q: %v", sc.Bytes(), err)
		}
		if len(keys) != 2 || keys["to"] == nil || keys["privmsg"] == nil {
			t.Errorf("line %q: keys %v, want to and privmsg", sc.Bytes(), keys)
		}
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(l.To, channels) {
			t.Errorf("to %q, want %q", l.To, channels)
		}
		out = append(out, l)
	}
	return out
}

func privmsgs(t testing.TB, reqs []integration.Request) []string {
	t.Helper()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	var out []string
	for _, l := range lines(t, reqs[0].Body) {
		out = append(out, l.Privmsg)
	}
	return out
}

func TestMessages(t *testing.T) {
	commit := func(id, msg string, added, modified, removed []any) map[string]any {
		return map[string]any{"id": id, "message": msg, "timestamp": "2019-11-22T12:00:00Z", "url": "http://example.com/c/" + id,
			"author": map[string]any{"name": "Ann", "email": "ann@example.com"}, "added": added, "modified": modified, "removed": removed}
	}
	sha := func(c byte) string { return strings.Repeat(string(c), 40) }
	tests := []struct {
		name   string
		change func(m map[string]any)
		want   []string
	}{
		{"one commit, one file", func(m map[string]any) {
			m["total_commits_count"] = 1
			m["commits"] = []any{commit(sha('a'), "Fix it\n\nLong text", nil, []any{"a.go"}, nil)}
		}, []string{
			"[Diaspora] John Smith pushed 1 new commit to master: http://example.com/mike/diaspora/compare/95790bf8...da156088",
			"Diaspora/master aaaaaaaa Ann (1 file): Fix it",
		}},
		{"only the first 3 commits, no file", func(m map[string]any) {
			m["total_commits_count"] = 25
			m["commits"] = []any{commit(sha('1'), "one", nil, nil, nil), commit(sha('2'), "two\r\nx", nil, nil, nil),
				commit(sha('3'), "   ", nil, nil, nil), commit(sha('4'), "four", nil, nil, nil)}
		}, []string{
			"[Diaspora] John Smith pushed 25 new commits to master: http://example.com/mike/diaspora/compare/95790bf8...da156088",
			"Diaspora/master 11111111 Ann (0 file): one",
			"Diaspora/master 22222222 Ann (0 file): two",
			"Diaspora/master 33333333 Ann (0 file): --no commit message",
		}},
		{"branch path with refs/ inside", func(m map[string]any) {
			m["ref"] = "refs/heads/feature/refs/x/y"
			m["total_commits_count"] = 0
		}, nil},
		{"new branch without commits", func(m map[string]any) {
			m["before"] = zeros
			m["ref"] = "refs/heads/feature/refs/x/y"
			m["total_commits_count"] = 0
			m["commits"] = []any{}
		}, []string{"[Diaspora] John Smith has created a new branch feature/y: http://example.com/mike/diaspora/branches"}},
		// app/workers/irker_worker.rb: "compare_url =
		// \"#{Gitlab.config.gitlab.url}/#{repo_path}/compare\"": the
		// sending GitLab's page, which the payload's web_url names; the
		// project's own URL only when the payload has none.
		{"no web_url in the payload", func(m map[string]any) {
			m["total_commits_count"] = 1
			m["commits"] = []any{commit(sha('c'), "x", nil, nil, nil)}
			m["project"].(map[string]any)["web_url"] = ""
			m["repository"].(map[string]any)["homepage"] = "https://git.example.org/mike/diaspora/"
		}, []string{
			"[Diaspora] John Smith pushed 1 new commit to master: https://git.example.org/mike/diaspora/compare/95790bf8...da156088",
			"Diaspora/master cccccccc Ann (0 file): x",
		}},
		{"html and separators are not escaped", func(m map[string]any) {
			m["total_commits_count"] = 1
			m["commits"] = []any{commit(sha('b'), "<b>&\u2028", []any{"x"}, []any{"y"}, nil)}
		}, []string{
			"[Diaspora] John Smith pushed 1 new commit to master: http://example.com/mike/diaspora/compare/95790bf8...da156088",
			"Diaspora/master bbbbbbbb Ann (2 files): <b>&\u2028",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqs, err := irker.Build(parse(t, "push.json", tt.change), settings(), project)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil {
				if len(reqs) != 0 {
					t.Fatalf("%d requests for a push with nothing to say, want none", len(reqs))
				}
				return
			}
			if got := privmsgs(t, reqs); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("messages\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
	t.Run("raw body", func(t *testing.T) {
		reqs, err := irker.Build(parse(t, "push.json", tests[len(tests)-1].change), settings(), project)
		if err != nil {
			t.Fatal(err)
		}
		want := "{\"to\":[\"irc://chat.freenode.net/#commits\",\"irc://test.net/#test\"],\"privmsg\":\"Diaspora/master bbbbbbbb Ann (2 files): <b>&\u2028\"}\n"
		if !strings.HasSuffix(string(reqs[0].Body), want) {
			t.Errorf("body %q, want it to end with %q", reqs[0].Body, want)
		}
	})
}

func TestNothingToSend(t *testing.T) {
	for _, tt := range []struct {
		name, file string
	}{
		{"tag push", "tag_push.json"},
		{"issue", "issue.json"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reqs, err := irker.Build(parse(t, tt.file, nil), settings(), project)
			if err != nil || len(reqs) != 0 {
				t.Errorf("%d requests, %v; want none", len(reqs), err)
			}
		})
	}
}

func TestAllRecipientsInvalid(t *testing.T) {
	for _, s := range []map[string]any{
		settings("recipients", "ftp://bad mailto:x"),
		settings("recipients", ""),
		settings("recipients", nil),
		settings("recipients", "#commits", "default_irc_uri", nil),
	} {
		reqs, err := irker.Build(parse(t, "push.json", nil), s, project)
		if err == nil || len(reqs) != 0 {
			t.Errorf("%v: %d requests, %v; want an error", s, len(reqs), err)
		}
	}
}

func TestChannels(t *testing.T) {
	str := func(s string) *string { return &s }
	tests := []struct {
		name       string
		recipients string
		def        *string
		want       []string
	}{
		{"GitLab's spec case", "#commits irc://test.net/#test ftp://bad", str("irc://chat.freenode.net/"), channels},
		{"no default keeps full URIs", "#commits irc://test.net/#test ircs://secure.net:6697/chan ftp://bad", nil,
			[]string{"irc://test.net/#test", "ircs://secure.net:6697/chan"}},
		{"the default's path is dropped", "#a b", str("irc://irc.network.net:6697/some/path"),
			[]string{"irc://irc.network.net:6697/#a", "irc://irc.network.net:6697/b"}},
		{"nick and key forms", "nick,isnick chan?key=secret", str("irc://irc.network.net/"),
			[]string{"irc://irc.network.net/nick,isnick", "irc://irc.network.net/chan?key=secret"}},
		{"whitespace of every kind", "\t#a\n\n#b \r\n", str("irc://n.net/"),
			// Ruby's split(/\s+/) keeps a leading empty field, which joins
			// to the server root.
			[]string{"irc://n.net/", "irc://n.net/#a", "irc://n.net/#b"}},
		{"an empty default cannot be joined", "#a irc://x.net/#b", str(""), []string{"irc://x.net/#b"}},
		{"a relative default cannot be joined", "#a irc://x.net/#b", str("n.net"), []string{"irc://x.net/#b"}},
		{"a non-irc default drops what it joins", "#a irc://x.net/#b", str("https://n.net/"), []string{"irc://x.net/#b"}},
		{"an opaque URI is no channel", "irc:foo", nil, nil},
		{"upper-case scheme", "IRC://x.net/#b", nil, []string{"irc://x.net/#b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := irker.Channels(tt.recipients, tt.def); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Channels(%q) = %q, want %q", tt.recipients, got, tt.want)
			}
		})
	}
}

func TestAddress(t *testing.T) {
	tests := []struct {
		host, port any
		want       string
	}{
		{nil, nil, "localhost:6659"},
		{"", "", "localhost:6659"},
		{"  ", " ", "localhost:6659"},
		{"irc.example.net", int64(7000), "irc.example.net:7000"},
		{"irc.example.net", float64(7000), "irc.example.net:7000"},
		{"irc.example.net", "7000", "irc.example.net:7000"},
		{"2001:db8::1", json.Number("6659"), "[2001:db8::1]:6659"},
	}
	for _, tt := range tests {
		if got := irker.Address(map[string]any{"server_host": tt.host, "server_port": tt.port}); got != tt.want {
			t.Errorf("Address(%v, %v) = %q, want %q", tt.host, tt.port, got, tt.want)
		}
	}
}

func TestCommitTitle(t *testing.T) {
	long := strings.Repeat("word ", 30) // 150 characters
	tests := []struct{ message, want string }{
		{"Fix it", "Fix it"},
		{"Fix it\nbody", "Fix it"},
		{"Fix it\rbody", "Fix it"},
		{"\nbody", ""},
		{"", "--no commit message"},
		{" \n\t", "--no commit message"},
		{strings.Repeat("x", 99), strings.Repeat("x", 99)},
		// From 100 characters: cut at the last space within the first 80.
		{long, strings.Repeat("word ", 16)[:79] + "…"},
		{strings.Repeat("é", 120), strings.Repeat("é", 80) + "…"},
	}
	for _, tt := range tests {
		if got := irker.CommitTitle(tt.message); got != tt.want {
			t.Errorf("CommitTitle(%q) = %q, want %q", tt.message, got, tt.want)
		}
	}
}

// listener accepts connections on 127.0.0.1 and passes the lines each one
// sends, up to its close, to the returned channel.
func listener(t *testing.T) (host, port string, got <-chan []string, conns *atomic.Int64) {
	t.Helper()
	addr, raw, n := integrationtest.TCPSink(t)
	ch := make(chan []string, 4)
	go func() {
		for b := range raw {
			ch <- strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		}
	}()
	host, port, _ = net.SplitHostPort(addr)
	return host, port, ch, n
}

// TestSendToListener sends a push through the outbound client to a TCP
// listener, as delivery does, and reads it back as an irker daemon would.
func TestSendToListener(t *testing.T) {
	host, port, got, conns := listener(t)
	reqs, err := irker.Build(parse(t, "push.json", newBranch), settings("server_host", host, "server_port", port, "colorize_messages", true), project)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	// The guarded client refuses 127.0.0.1 without allow-local, before
	// any connection is made.
	guarded := outbound.New(outbound.Options{Timeout: 2 * time.Second})
	res, err := guarded.Do(ctx, reqs[0])
	if !errors.Is(err, netguard.ErrBlocked) {
		t.Fatalf("guarded client: %v, %v; want ErrBlocked", res, err)
	}
	if o := outbound.Classify(res, err); o.Retry {
		t.Errorf("Classify(blocked) = %+v, want final", o)
	}
	time.Sleep(50 * time.Millisecond)
	if n := conns.Load(); n != 0 {
		t.Fatalf("the listener saw %d connections from the guarded client", n)
	}

	local := outbound.New(outbound.Options{AllowLocal: true, Timeout: 2 * time.Second})
	res, err = local.Do(ctx, reqs[0])
	if err != nil {
		t.Fatal(err)
	}
	if o := outbound.Classify(res, nil); o != (outbound.Outcome{}) || res.Status != 0 {
		t.Errorf("result %+v classified %+v, want a success with status 0", res, o)
	}
	var received []string
	select {
	case received = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the listener received nothing")
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want one for the whole push", n)
	}
	want := []string{
		"[\x0304Diaspora\x0f] John Smith has created a new branch \x0305master\x0f: \x0302\x1fhttp://example.com/mike/diaspora/branches\x0f",
		"[\x0304Diaspora\x0f] John Smith pushed \x024\x0f new commits to \x0305master\x0f: \x0302\x1fhttp://example.com/mike/diaspora/compare/00000000...da156088\x0f",
		"\x0304Diaspora\x0f/\x0305master\x0f \x0314b6568db1\x0f Jordi Mallach (\x03122 files\x0f): Update Catalan translation to e38cb41.",
		"\x0304Diaspora\x0f/\x0305master\x0f \x0314da156088\x0f GitLab dev user (\x03122 files\x0f): fixed readme",
	}
	if len(received) != len(want) {
		t.Fatalf("received %d lines, want %d: %q", len(received), len(want), received)
	}
	for i, l := range received {
		var keys map[string]json.RawMessage
		if err := json.Unmarshal([]byte(l), &keys); err != nil {
			t.Fatalf("line %d %q: %v", i, l, err)
		}
		if len(keys) != 2 {
			t.Errorf("line %d %q: keys %v, want to and privmsg", i, l, keys)
		}
		var m line
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(m.To, channels) || m.Privmsg != want[i] {
			t.Errorf("line %d: to %q privmsg %q\nwant to %q privmsg %q", i, m.To, m.Privmsg, channels, want[i])
		}
	}
}
