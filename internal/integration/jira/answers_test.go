package jira

import (
	"slices"
	"strings"
	"testing"
)

// issueJSON is a Jira issue answer as GET /rest/api/2/issue/PROJ-1 gives
// it with fields=comment,resolution.
const issueJSON = `{"expand":"renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations","id":"10001",` +
	`"self":"https://jira.example.com/rest/api/2/issue/10001","key":"PROJ-1","fields":{"comment":{"comments":[` +
	`{"self":"https://jira.example.com/rest/api/2/issue/10001/comment/10100","id":"10100","author":{"name":"fred","displayName":"Fred F. User"},"body":"first"},` +
	`{"self":"https://jira.example.com/rest/api/2/issue/10001/comment/10101","id":"10101","author":{"name":"gitlab"},"body":"second"}` +
	`],"maxResults":2,"total":2,"startAt":0},"resolution":{"self":"https://jira.example.com/rest/api/2/resolution/1","id":"1","name":"Fixed"}}}`

func TestParseIssue(t *testing.T) {
	tests := []struct {
		name, answer string
		id, key      string
		res          bool
		comments     []string
		complete     bool
		failure      bool
	}{
		{"whole", issueJSON, "10001", "PROJ-1", true, []string{"first", "second"}, true, false},
		{"no fields at all", `{"id":"5","key":"A1-2"}`, "5", "A1-2", false, nil, true, false},
		{"null resolution", `{"id":"5","fields":{"resolution":null}}`, "5", "", false, nil, true, false},
		{"empty resolution", `{"fields":{"resolution":{}}}`, "", "", false, nil, true, false},
		{"blank resolution", `{"fields":{"resolution":" "},"id":7}`, "7", "", false, nil, true, false},
		{"fewer comments listed than the total", `{"fields":{"comment":{"comments":[{"body":"a"}],"total":2}}}`, "", "", false, []string{"a"}, false, false},
		{"no key", `{"id":"1","key":"not a key","fields":{}}`, "1", "", false, nil, true, false},
		{"id as a number", `{"id":10001,"key":"PROJ-1"}`, "10001", "PROJ-1", false, nil, true, false},
		{"negative or huge id", `{"id":-1}`, "", "", false, nil, true, false},
		{"hostile id", `{"id":"../x","key":"PROJ-1","fields":{}}`, "", "", false, nil, false, true},
		{"cut short", issueJSON[:strings.Index(issueJSON, `"body":"second"`)], "", "", false, nil, false, true},
		{"fields not an object", `{"id":"1","fields":[]}`, "", "", false, nil, false, true},
		{"comments not bodies", `{"fields":{"comment":{"comments":[1,{"body":"ok"}]}}}`, "", "", false, nil, false, true},
		{"empty", ``, "", "", false, nil, false, true},
		{"null", `null`, "", "", false, nil, false, true},
		{"array", `[]`, "", "", false, nil, false, true},
		{"html", `<html>`, "", "", false, nil, false, true},
	}
	for _, tt := range tests {
		is, err := parseIssue([]byte(tt.answer))
		if tt.failure {
			if err != errNotIssue {
				t.Errorf("%s: %v, want errNotIssue", tt.name, err)
			}
			continue
		}
		if err != nil || is.ID != tt.id || is.Key != tt.key || is.Resolved != tt.res ||
			!slices.Equal(is.Comments, tt.comments) || is.CommentsComplete != tt.complete {
			t.Errorf("%s: %+v, %v", tt.name, is, err)
		}
	}
	is, _ := parseIssue([]byte(issueJSON))
	if !is.hasComment("irs") || is.hasComment("third") {
		t.Error("hasComment is a substring test")
	}
}

func TestParseSearch(t *testing.T) {
	answer := `{"expand":"schema,names","startAt":0,"maxResults":50,"total":3,"issues":[` +
		`{"expand":"operations","id":"10001","self":"https://j/rest/api/2/issue/10001","key":"PROJ-1","fields":{}},` +
		`{"id":"10002","key":"not a key"},` +
		`{"id":"10003","key":"PROJ-3","fields":{"summary":"x"}}],"warningMessages":["The value 'UTF-8' does not exist for the field 'key'."]}`
	tests := []struct {
		name, answer string
		want         searchPage
		failure      bool
	}{
		{"whole", answer, searchPage{Keys: []string{"PROJ-1", "PROJ-3"}, Listed: 3, Total: 3}, false},
		{"a page of more", `{"startAt":0,"total":120,"issues":[{"key":"PROJ-1"}]}`, searchPage{Keys: []string{"PROJ-1"}, Listed: 1, Total: 120}, false},
		{"none", `{"startAt":0,"maxResults":50,"total":0,"issues":[]}`, searchPage{}, false},
		{"cut short", answer[:strings.Index(answer, `{"id":"10003"`)+20], searchPage{}, true},
		{"issues not a list", `{"issues":{"key":"PROJ-1"}}`, searchPage{}, true},
		{"issues not objects", `{"issues":[7]}`, searchPage{}, true},
		{"not an object", `[{"key":"PROJ-1"}]`, searchPage{}, true},
		{"null", `null`, searchPage{}, true},
		{"not JSON", `PROJ-1`, searchPage{}, true},
	}
	for _, tt := range tests {
		got, err := parseSearch([]byte(tt.answer))
		if (err != nil) != tt.failure || !slices.Equal(got.Keys, tt.want.Keys) || got.Listed != tt.want.Listed || got.Total != tt.want.Total {
			t.Errorf("%s: %+v, %v", tt.name, got, err)
		}
	}
}

func TestFindLink(t *testing.T) {
	const u = "https://glint.example.com/g/p/commit/abc"
	answer := `[{"id":10000,"self":"https://j/rest/api/2/issue/PROJ-1/remotelink/10000","object":{"url":"https://other","title":"x"}},` +
		`{"id":-3,"object":{"url":"` + u + `"}},` +
		`{"id":10001,"object":{"url":"` + u + `","title":"Commit - t"}},{"id":10002,"object":{"url":"` + u + `"}}]`
	tests := []struct {
		name, answer string
		id           string
		found, fails bool
	}{
		{"first with a usable id", answer, "10001", true, false},
		{"none", `[]`, "", false, false},
		{"object missing", `[{"id":1}]`, "", false, false},
		{"id as a string", `[{"id":"12","object":{"url":"` + u + `"}}]`, "12", true, false},
		{"url differs by a slash", `[{"id":12,"object":{"url":"` + u + `/"}}]`, "", false, false},
		{"cut short", answer[:strings.Index(answer, `{"id":10001`)+10], "", false, true},
		{"object not an object", `[{"id":2,"object":"` + u + `"}]`, "", false, true},
		{"id not a number", `[{"id":"x","object":{"url":"` + u + `"}}]`, "", false, true},
		{"not a list", `{"id":12,"object":{"url":"` + u + `"}}`, "", false, true},
		{"null", `null`, "", false, true},
		{"not JSON", `nope`, "", false, true},
	}
	for _, tt := range tests {
		id, found, err := findLink([]byte(tt.answer), u)
		if id != tt.id || found != tt.found || (err != nil) != tt.fails {
			t.Errorf("%s: %q %v %v", tt.name, id, found, err)
		}
	}
}
