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
	cutInComments := strings.Index(issueJSON, `"body":"second"`)
	tests := []struct {
		name, answer      string
		id, key           string
		resKnown, res     bool
		comments          []string
		complete, failure bool
	}{
		{"whole", issueJSON, "10001", "PROJ-1", true, true, []string{"first", "second"}, true, false},
		{"cut in the comments", issueJSON[:cutInComments], "10001", "PROJ-1", false, false, []string{"first"}, false, false},
		{"cut before the fields", issueJSON[:strings.Index(issueJSON, `"fields"`)], "10001", "PROJ-1", false, false, nil, false, false},
		{"no fields at all", `{"id":"5","key":"A1-2"}`, "5", "A1-2", true, false, nil, true, false},
		{"null resolution", `{"id":"5","fields":{"resolution":null}}`, "5", "", true, false, nil, true, false},
		{"empty resolution", `{"fields":{"resolution":{}}}`, "", "", true, false, nil, true, false},
		{"blank resolution", `{"fields":{"resolution":" "},"id":7}`, "7", "", true, false, nil, true, false},
		{"resolution, rest cut", `{"fields":{"resolution":{"name":"Done"},"comment":{"comm`, "", "", true, true, nil, false, false},
		{"more comments than listed", `{"fields":{"comment":{"comments":[{"body":"a"}],"total":2}}}`, "", "", true, false, []string{"a"}, false, false},
		{"comments not bodies", `{"fields":{"comment":{"comments":[1,"x",{"body":3},{"body":"ok"}]}}}`, "", "", true, false, []string{"ok"}, true, false},
		{"hostile id and key", `{"id":"../x","key":"PROJ-1/../../y","fields":{}}`, "", "", true, false, nil, true, false},
		{"id as a number", `{"id":10001,"key":"PROJ-1"}`, "10001", "PROJ-1", true, false, nil, true, false},
		{"negative or huge id", `{"id":-1}`, "", "", true, false, nil, true, false},
		{"fields not an object", `{"id":"1","fields":[]}`, "1", "", false, false, nil, false, false},
		{"empty", ``, "", "", false, false, nil, false, true},
		{"array", `[]`, "", "", false, false, nil, false, true},
		{"html", `<html>`, "", "", false, false, nil, false, true},
	}
	for _, tt := range tests {
		is, err := parseIssue([]byte(tt.answer))
		if tt.failure {
			if err == nil {
				t.Errorf("%s: no error", tt.name)
			}
			continue
		}
		if err != nil || is.ID != tt.id || is.Key != tt.key || is.ResolutionKnown != tt.resKnown || is.Resolved != tt.res ||
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
		`{"id":"10002","key":"not a key"},7,` +
		`{"id":"10003","key":"PROJ-3","fields":{"summary":"x"}}],"warningMessages":["The value 'UTF-8' does not exist for the field 'key'."]}`
	tests := []struct {
		name, answer string
		want         []string
		failure      bool
	}{
		{"whole", answer, []string{"PROJ-1", "PROJ-3"}, false},
		{"cut", answer[:strings.Index(answer, `{"id":"10003"`)+20], []string{"PROJ-1"}, false},
		{"none", `{"startAt":0,"maxResults":50,"total":0,"issues":[]}`, nil, false},
		{"issues not a list", `{"issues":{"key":"PROJ-1"}}`, nil, false},
		{"not an object", `[{"key":"PROJ-1"}]`, nil, true},
		{"not JSON", `PROJ-1`, nil, true},
	}
	for _, tt := range tests {
		got, err := parseSearch([]byte(tt.answer))
		if (err != nil) != tt.failure || !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, %v", tt.name, got, err)
		}
	}
}

func TestFindLink(t *testing.T) {
	const u = "https://glint.example.com/g/p/commit/abc"
	answer := `[{"id":10000,"self":"https://j/rest/api/2/issue/PROJ-1/remotelink/10000","object":{"url":"https://other","title":"x"}},` +
		`{"id":"x","object":{"url":"` + u + `"}},` +
		`{"id":10001,"object":{"url":"` + u + `","title":"Commit - t"}},{"id":10002,"object":{"url":"` + u + `"}}]`
	tests := []struct {
		name, answer string
		id           string
		found, fails bool
	}{
		{"first with a usable id", answer, "10001", true, false},
		{"cut before it", answer[:strings.Index(answer, `{"id":10001`)+10], "", false, false},
		{"none", `[]`, "", false, false},
		{"object missing", `[{"id":1},{"id":2,"object":"` + u + `"}]`, "", false, false},
		{"id as a string", `[{"id":"12","object":{"url":"` + u + `"}}]`, "12", true, false},
		{"url differs by a slash", `[{"id":12,"object":{"url":"` + u + `/"}}]`, "", false, false},
		{"not a list", `{"id":12,"object":{"url":"` + u + `"}}`, "", false, true},
		{"not JSON", `nope`, "", false, true},
	}
	for _, tt := range tests {
		id, found, err := findLink([]byte(tt.answer), u)
		if id != tt.id || found != tt.found || (err != nil) != tt.fails {
			t.Errorf("%s: %q %v %v", tt.name, id, found, err)
		}
	}
}
