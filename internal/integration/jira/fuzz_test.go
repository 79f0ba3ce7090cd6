package jira

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
)

// Fuzz targets for everything that reads untrusted input: the commit and
// merge request texts scanned for keys, and Jira's answers. Run each with
// go test -run X -fuzz FuzzName -fuzztime 20s ./internal/integration/jira/

func FuzzKeys(f *testing.F) {
	for _, s := range []string{"PROJ-1 fix", "Fixes PROJ-1, PROJ-2", "see https://x/PROJ-1>PROJ-2", "`PROJ-1` ```\nA1-2\n```",
		"[PROJ-1](http://x) ~~~\nB2-3", "UTF-8 é\u2028PROJ-9", "````a``PROJ-1`", "<&\"'>AB-1"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, text string, markdown bool) {
		keys := keysIn(text, markdown)
		seen := map[string]bool{}
		for _, k := range keys {
			if !wholeKey.MatchString(k) || !strings.Contains(text, k) || seen[k] {
				t.Fatalf("%q: bad key %q in %q", text, k, keys)
			}
			seen[k] = true
		}
	})
}

func FuzzClosingKeys(f *testing.F) {
	for _, s := range []string{"Fixes PROJ-1", "Closes #1, PROJ-2 and PROJ-3", "closes: https://a/b, PROJ-4", "Implementing issues #3 and AB-12",
		"fix fix fix A1-1A1-1", "Resolved group/sub/proj#9 , PROJ-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		all := Keys(text)
		for _, k := range ClosingKeys(text) {
			// A closed key follows spaces or a separator, so it is a key
			// of the whole text too.
			if !wholeKey.MatchString(k) || !slices.Contains(all, k) {
				t.Fatalf("%q: closing key %q not among %q", text, k, all)
			}
		}
	})
}

func FuzzParseIssue(f *testing.F) {
	f.Add([]byte(issueJSON))
	f.Add([]byte(issueJSON[:200]))
	f.Add([]byte(`{"id":"10001","key":"PROJ-1","fields":{"comment":{"comments":[{"body":"a"}],"total":2}}}`))
	f.Add([]byte(`{"id":"1","fields":{"comment":{"comments":[{"body":"x"}],"total":9e99}}}`))
	f.Add([]byte(`{"fields":{"resolution":{"a":[[[[[]]]]]}}}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, answer []byte) {
		is, err := parseIssue(answer)
		if err != nil {
			return
		}
		if is.ID != "" && digits(json.Number(is.ID)) != is.ID || is.Key != "" && !wholeKey.MatchString(is.Key) {
			t.Fatalf("unsafe id %q or key %q", is.ID, is.Key)
		}
		if len(is.Comments) > len(answer) {
			t.Fatal("more comments than bytes")
		}
	})
}

func FuzzParseSearch(f *testing.F) {
	f.Add([]byte(`{"issues":[{"id":"1","key":"PROJ-1"},{"key":"x"}],"total":2}`))
	f.Add([]byte(`{"issues":[{"key":"PROJ-1"`))
	f.Add([]byte(`{"startAt":0,"total":99,"issues":[{"key":"PROJ-1"}]}`))
	f.Add([]byte(`{"errorMessages":["x"]}`))
	f.Fuzz(func(t *testing.T, answer []byte) {
		page, err := parseSearch(answer)
		if err != nil && page.Keys != nil {
			t.Fatal("keys with an error")
		}
		if len(page.Keys) > page.Listed {
			t.Fatalf("%d keys of %d issues", len(page.Keys), page.Listed)
		}
		for _, k := range page.Keys {
			if !wholeKey.MatchString(k) {
				t.Fatalf("bad key %q", k)
			}
		}
	})
}

func FuzzFindLink(f *testing.F) {
	f.Add([]byte(`[{"id":1,"object":{"url":"u"}}]`), "u")
	f.Add([]byte(`[{"id":"1/../2","object":{"url":"u"}}]`), "u")
	f.Add([]byte(`[{"id":1e3,"object":{"url":"u"}},`), "u")
	f.Fuzz(func(t *testing.T, answer []byte, u string) {
		id, found, err := findLink(answer, u)
		if found && (err != nil || id == "" || digits(json.Number(id)) != id) {
			t.Fatalf("found %q, %v", id, err)
		}
	})
}

// FuzzThen feeds arbitrary answers to every step of the chains: no step
// panics, every request stays on the Jira base with a safe path, and no
// error holds the password.
func FuzzThen(f *testing.F) {
	f.Add([]byte(`{"issues":[{"key":"PROJ-1"},{"key":"PROJ-2"}]}`), []byte(issueJSON), []byte(`[{"id":5,"object":{"url":"x"}}]`), []byte(`{"id":"77","fields":{"resolution":"x"}}`))
	f.Add([]byte(`{"issues":[{"key":"PROJ-1"},{"key":"PROJ-2"}]}`), []byte(`{"id":"9","key":"PROJ-7","fields":{"resolution":null,"comment":{"comments":[]}}}`), []byte(`[]`), []byte(`{}`))
	const secret = "s3cr3t-f0zz"
	settings := map[string]any{"url": "https://jira.example.com/ctx", "username": "u", "password": secret, "jira_issue_transition_id": "1;2"}
	c, err := newClient(settings, testProject)
	if err != nil {
		f.Fatal(err)
	}
	work := []action{
		{key: "PROJ-1", mention: &mention{entity: "commit", url: "https://glint.example.com/group/project/commit/abc", title: "t", user: "U", userURL: "https://glint.example.com/u", project: "group/project"}},
		{key: "PROJ-2", close: &closing{sha: "abc", url: "https://glint.example.com/group/project/commit/abc"}},
	}
	f.Fuzz(func(t *testing.T, search, first, links, second []byte) {
		answers := [][]byte{search, first, links, second}
		var check func(reqs []integration.Request, depth int)
		check = func(reqs []integration.Request, depth int) {
			for _, r := range reqs {
				u, err := url.Parse(r.URL)
				if err != nil || u.Host != "jira.example.com" || !strings.HasPrefix(u.Path, "/ctx/rest/api/2/") || strings.Contains(u.Path, "..") {
					t.Fatalf("request to %q", r.URL)
				}
				if r.Body != nil && !json.Valid(r.Body) {
					t.Fatalf("body %q", r.Body)
				}
				if r.Then == nil {
					continue
				}
				answer := answers[min(depth, len(answers)-1)]
				next, err := r.Then(answer)
				if err != nil {
					if !strings.HasPrefix(err.Error(), "jira: ") || strings.Contains(err.Error(), secret) {
						t.Fatalf("error %v", err)
					}
					continue
				}
				if depth < 6 {
					check(next, depth+1)
				}
			}
		}
		check([]integration.Request{c.search([]string{"PROJ-1", "PROJ-2"}, work, 0)}, 0)
	})
}
