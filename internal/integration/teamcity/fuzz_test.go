package teamcity

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

// FuzzBuildXML: for any branch name and build type, Build either refuses
// (only when one of them holds what an XML attribute cannot carry) or
// posts a body that parses as XML, is exactly the build element, escapes
// as Ruby's encode(xml: :attr) does, and reads back both values
// unchanged.
func FuzzBuildXML(f *testing.F) {
	f.Add("master", "Proj_Build")
	f.Add(`feature/a&b<c>"d"'e'`, `x"&amp;`)
	f.Add("]]><!--", "<![CDATA[x]]>")
	f.Add("tab\there", "id")
	f.Add("é/ü/\u2028/\U0001F600", "\uFFFE")
	f.Add("\xff", "ok")
	f.Add("", "&#10;")
	escape := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	settings := map[string]any{"teamcity_url": "https://teamcity.example.com", "username": "u", "password": "p"}
	f.Fuzz(func(t *testing.T, branch, buildType string) {
		ev := &event.Event{Kind: event.Push, Push: &event.PushEvent{
			Ref: "refs/heads/" + branch, After: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", TotalCommitsCount: 1}}
		s := map[string]any{"build_type": buildType}
		for k, v := range settings {
			s[k] = v
		}
		reqs, err := Build(ev, s, integration.Project{})
		blankType := strings.Trim(buildType, " \t\n\v\f\r") == ""
		safe := attrSafe(branch) && attrSafe(buildType)
		switch {
		case blankType:
			if err == nil {
				t.Fatalf("blank build type %q accepted", buildType)
			}
			return
		case !safe:
			if err == nil || reqs != nil || !strings.HasPrefix(err.Error(), "teamcity: ") {
				t.Fatalf("%q, %q: %d requests, %v; want a refusal", branch, buildType, len(reqs), err)
			}
			return
		case err != nil || len(reqs) != 1:
			t.Fatalf("%q, %q: %d requests, %v", branch, buildType, len(reqs), err)
		}
		body := reqs[0].Body
		want := `<build branchName="` + escape.Replace(branch) + `"><buildType id="` + escape.Replace(buildType) + `"/></build>`
		if string(body) != want {
			t.Fatalf("body\n %s\nwant\n %s", body, want)
		}
		var b struct {
			XMLName    xml.Name `xml:"build"`
			BranchName string   `xml:"branchName,attr"`
			BuildType  struct {
				ID string `xml:"id,attr"`
			} `xml:"buildType"`
		}
		dec := xml.NewDecoder(bytes.NewReader(body))
		dec.Strict = true
		if err := dec.Decode(&b); err != nil {
			t.Fatalf("body %s does not parse: %v", body, err)
		}
		if b.BranchName != branch || b.BuildType.ID != buildType {
			t.Fatalf("read back %q, %q; want %q, %q", b.BranchName, b.BuildType.ID, branch, buildType)
		}
	})
}
