package jenkins

import (
	"bytes"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/net/html"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/servicehook"
)

// DeprecatedStatus is the read-back of JenkinsDeprecatedService (spec §5):
// GitLab scrapes the build page of the commit,
//
//	GET <project_url>/scm/bySHA1/<sha>
//
// or, with multiproject_enabled and a ref,
//
//	GET URI.encode("<scheme://host>/job/<project name>_<ref with / as _>/scm/bySHA1/<sha>")
//
// with TLS certificates not verified (verify: false); user:password@ in
// the URL is taken out and sent as Basic auth. The page's status icon is
// read by readDeprecatedStatus. The build page answered is the URL asked.
func DeprecatedStatus(settings map[string]any, p integration.Project, sha, ref string) (integration.StatusQuery, error) {
	cfg, err := catalog.Decode[DeprecatedSettings]("jenkins-deprecated", settings)
	if err != nil {
		return integration.StatusQuery{}, err
	}
	raw := cfg.ProjectURL
	if raw == "" {
		return integration.StatusQuery{}, errProjectURL
	}
	if _, err := servicehook.Parse(raw); err != nil {
		return integration.StatusQuery{}, errDeprecatedURL(err)
	}
	page := raw + "/scm/bySHA1/" + sha
	if cfg.MultiprojectEnabled && ref != "" {
		// URI.join(project_url, '/job'): scheme and authority (userinfo
		// kept), then /job.
		start := strings.Index(raw, "//") + 2
		end := len(raw)
		if i := strings.IndexAny(raw[start:], "/?#"); i >= 0 {
			end = start + i
		}
		origin := raw[:end]
		page = servicehook.URIEncode(origin + "/job/" + p.Name + "_" + strings.ReplaceAll(ref, "/", "_") + "/scm/bySHA1/" + sha)
	}
	target, err := servicehook.Parse(page)
	if err != nil {
		return integration.StatusQuery{}, errDeprecatedURL(err)
	}
	header := http.Header{}
	if target.HasAuth {
		header.Set("Authorization", integration.BasicAuth(target.User, target.Password))
	}
	passUnstable := cfg.PassUnstable
	return integration.StatusQuery{
		Request: integration.Request{Method: http.MethodGet, URL: target.URL, Header: header, InsecureSkipVerify: true},
		Read: func(a integration.Answer) integration.CommitStatus {
			return integration.CommitStatus{Status: readDeprecatedStatus(a, passUnstable), BuildPage: page}
		},
	}, nil
}

func errDeprecatedURL(err error) error { return errors.New("jenkins: project_url " + err.Error()) }

var (
	blue    = regexp.MustCompile(`blue\.png$`)
	yellow  = regexp.MustCompile(`yellow\.png`)
	failed  = regexp.MustCompile(`(red|aborted|yellow)\.png$`)
	running = regexp.MustCompile(`anime\.gif$`)
)

// readDeprecatedStatus reads a Jenkins build page as GitLab's
// read_commit_status does: on a 200 answer, the src of the first element
// matching "img.build-caption-status-icon, .build-caption>img" ending in
// blue.png (or holding yellow.png, with pass_unstable) is success, in
// red.png, aborted.png or yellow.png failed, in anime.gif running, and
// anything else pending. Another status, or a page without such an image
// (GitLab raises and reports to Sentry), is an error.
func readDeprecatedStatus(a integration.Answer, passUnstable bool) string {
	if a.Err != nil || a.Status != http.StatusOK {
		return integration.StatusError
	}
	doc, err := html.Parse(bytes.NewReader(a.Body))
	if err != nil {
		return integration.StatusError
	}
	src, ok := statusIcon(doc)
	switch {
	case !ok:
		return integration.StatusError
	case blue.MatchString(src) || (passUnstable && yellow.MatchString(src)):
		return integration.StatusSuccess
	case failed.MatchString(src):
		return integration.StatusFailed
	case running.MatchString(src):
		return integration.StatusRunning
	}
	return integration.StatusPending
}

// statusIcon finds, in document order, the first img that has the class
// build-caption-status-icon or whose parent has the class build-caption,
// and returns its src; ok is false when there is none or it has no src.
func statusIcon(doc *html.Node) (src string, ok bool) {
	icon := firstIcon(doc)
	if icon == nil {
		return "", false
	}
	return attr(icon, "src")
}

func firstIcon(n *html.Node) *html.Node {
	if n.Type == html.ElementNode && n.Data == "img" &&
		(hasClass(n, "build-caption-status-icon") || (n.Parent != nil && n.Parent.Type == html.ElementNode && hasClass(n.Parent, "build-caption"))) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := firstIcon(c); f != nil {
			return f
		}
	}
	return nil
}

func hasClass(n *html.Node, class string) bool {
	v, _ := attr(n, "class")
	return slices.Contains(strings.Fields(v), class)
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}
