// Package asana builds the requests of GitLab 12.5's "Asana" service
// (AsanaService, on the asana gem): commit messages that mention Asana
// tasks become comments ("stories") on those tasks, and a task mentioned
// after a fix or close word is completed. It takes pushes only
// (object_kind "push"; tag pushes are not among its supported events).
//
// For each commit of the push (at most the 20 newest, as the webhook
// carries them), in order, and for each task reference in its message
// (see Tasks), in order, glint reads the task,
//
//	GET https://app.asana.com/api/1.0/tasks/<id>
//
// and, when it exists, sends, with the headers
// Authorization: Bearer <api_key> and Content-Type: application/json:
//
//	POST https://app.asana.com/api/1.0/tasks/<id>/stories
//	{"data":{"text":"<prefix> <message>"}}
//
// and, when a fix/close word came before the reference,
//
//	PUT https://app.asana.com/api/1.0/tasks/<id>
//	{"data":{"completed":true}}
//
// where <prefix> is
//
//	<user_name> pushed to branch <branch> of <project full name> ( <commit url> ):
//
// with the project's full name as glint has it ("Group / Project"). The
// API's JSON form is the asana gem's: its HttpClient posts and puts
// {data: <attributes>} as JSON, add_comment's attributes being {text:}
// (https://developers.asana.com/reference/createstoryfortask,
// https://developers.asana.com/reference/updatetask).
//
// Re-checked in gitlabhq's app/models/project_services/asana_service.rb
// (the 12.x version, with restrict_to_branch and the translated prefix):
//   - the branch is Gitlab::Git.ref_name of the ref; when restrict_to_branch
//     is present (not blank), the push is dropped unless the setting, as
//     it is, contains the branch name as a substring (String#index): it is
//     not split on commas, so "feat" passes for "feature,main";
//   - the prefix uses project.full_name, with the spaces shown above;
//   - the message is scanned with issue_finder (see taskFinder); the id is
//     the "#" capture, else the URL's; each reference is handled on its
//     own, so a task named twice in one message gets two comments (and two
//     updates when closing), as in GitLab's loop;
//   - GitLab first loads the task (Asana::Resources::Task.find_by_id, a
//     GET /tasks/<id>), then comments and updates through the loaded
//     task; a task that does not exist raises Asana::Errors::NotFound,
//     which the per-task rescue logs, and the next task goes on. glint
//     sends the same GET (Authorization only), marked Optional: a 404
//     skips that task's story and completion, and the delivery goes on.
//
// Where glint differs: GitLab logs any other error for a task and goes on
// with the next one; glint sends the requests in order and an answer that
// is not 2xx, other than a 404 to a task's read, stops the rest of the
// delivery. Task ids are word characters only, and are path-escaped all
// the same. An api_key with control characters, which cannot be sent in a
// header, is refused. The gem's own User-Agent and X-Asana-Client-Lib
// headers are not sent.
//
// It knows events and the integration types; it must not import the API,
// the store or the delivery code.
package asana

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

// API is the base of Asana's REST API, as the asana gem has it.
const API = "https://app.asana.com/api/1.0"

var (
	errKey      = errors.New("asana: the api_key is not set")
	errKeyChars = errors.New("asana: the api_key has control characters and cannot be sent in a header")
)

// story is the body of POST /tasks/<id>/stories.
type story struct {
	Data storyData `json:"data"`
}

type storyData struct {
	Text string `json:"text"`
}

// complete is the body of PUT /tasks/<id>.
type complete struct {
	Data completeData `json:"data"`
}

type completeData struct {
	Completed bool `json:"completed"`
}

// Settings are the service's properties, decoded by catalog.Decode.
type Settings struct {
	APIKey           string `field:"api_key"`
	RestrictToBranch string `field:"restrict_to_branch"`
}

// Build returns the comments and completions for a push, or nothing for
// other events, pushes to branches restrict_to_branch leaves out and
// commits that name no task. settings are the service's resolved
// properties.
func Build(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	if ev.Kind != event.Push || ev.Push == nil {
		return nil, nil
	}
	cfg, err := catalog.Decode[Settings]("asana", settings)
	if err != nil {
		return nil, err
	}
	key := cfg.APIKey
	if key == "" {
		return nil, errKey
	}
	if strings.ContainsFunc(key, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return nil, errKeyChars
	}
	e := ev.Push
	branch := event.RefName(e.Ref)
	if restrict := cfg.RestrictToBranch; restrict != "" && !strings.Contains(restrict, branch) {
		return nil, nil
	}
	header := func() http.Header {
		return http.Header{"Authorization": {"Bearer " + key}, "Content-Type": {"application/json"}}
	}
	var reqs []integration.Request
	for _, c := range e.Commits {
		text := Prefix(e.UserName, branch, p.FullName, c.URL) + " " + c.Message
		for _, t := range Tasks(c.Message) {
			task := API + "/tasks/" + url.PathEscape(t.ID)
			body, err := integration.JSON(story{storyData{text}})
			if err != nil {
				return nil, err
			}
			then := []integration.Request{{Method: http.MethodPost, URL: task + "/stories", Header: header(), Body: body}}
			if t.Close {
				if body, err = integration.JSON(complete{completeData{true}}); err != nil {
					return nil, err
				}
				then = append(then, integration.Request{Method: http.MethodPut, URL: task, Header: header(), Body: body})
			}
			// The task is read first (Task.find_by_id): one that does not
			// exist (404) is skipped, and the next goes on.
			reqs = append(reqs, integration.Request{
				Method: http.MethodGet, URL: task, Header: http.Header{"Authorization": {"Bearer " + key}},
				Optional: true,
				Then:     func([]byte) ([]integration.Request, error) { return then, nil },
			})
		}
	}
	return reqs, nil
}

// Prefix is the line GitLab puts before a commit message in its comment.
func Prefix(user, branch, project, commitURL string) string {
	return user + " pushed to branch " + branch + " of " + project + " ( " + commitURL + " ):"
}
