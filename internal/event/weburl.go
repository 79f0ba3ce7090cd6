package event

import (
	"strings"

	"github.com/glint-dev/glint/internal/integration"
)

// ProjectWebURL is the web URL of the event's project as the GitLab that
// sent it gave it: the payload's project.web_url (a push's or a job's
// repository.homepage when there is none), without a trailing slash; ""
// when the payload names none. It is the GitLab instance's own address of
// the project, Gitlab.config.gitlab.url + "/" + path_with_namespace, from
// which GitLab builds the links it sends (compare, pipeline, commit, merge
// request pages). For pushes from `glint hook`, it is the repository
// browser the hook names.
func (e *Event) ProjectWebURL() string {
	var u string
	switch {
	case e.Push != nil:
		return e.Push.ProjectWebURL()
	case e.Issue != nil:
		u = e.Issue.Project.WebURL
	case e.MergeRequest != nil:
		u = e.MergeRequest.Project.WebURL
	case e.Note != nil:
		u = e.Note.Project.WebURL
	case e.Pipeline != nil:
		u = e.Pipeline.Project.WebURL
	case e.Job != nil:
		u = e.Job.Repository.Homepage
	case e.WikiPage != nil:
		u = e.WikiPage.Project.WebURL
	case e.Deployment != nil:
		u = e.Deployment.Project.WebURL
	}
	return strings.TrimRight(u, "/")
}

// LinkBase is where links to the project's pages point: the event's
// ProjectWebURL, or, for an event that names none, the project's WebURL
// as glint knows it.
func LinkBase(e *Event, p integration.Project) string {
	if u := e.ProjectWebURL(); u != "" {
		return u
	}
	return strings.TrimRight(p.WebURL, "/")
}

// ProjectWebURL is Event.ProjectWebURL of a push: project.web_url, else
// repository.homepage, without a trailing slash.
func (e *PushEvent) ProjectWebURL() string {
	u := e.Project.WebURL
	if u == "" {
		u = e.Repository.Homepage
	}
	return strings.TrimRight(u, "/")
}
