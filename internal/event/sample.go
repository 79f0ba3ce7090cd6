package event

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/glint-dev/glint/internal/integration"
)

// SamplePush is the event a service's "Test settings" sends: as GitLab's
// Gitlab::DataBuilder::Push.build_sample, a push of the latest commit to
// the default branch, by the given user. glint has no repository to read
// it from, so the one commit is made up, the same every time for the
// same project and user.
func SamplePush(p integration.Project, user string) (header string, body []byte) {
	branch := p.DefaultBranch
	if branch == "" {
		branch = "master"
	}
	before := fakeSHA("parent", p.FullPath)
	after := fakeSHA("commit", p.FullPath)
	sshURL, httpURL := cloneURLs(p)
	project := Project{
		ID:                p.ID,
		Name:              p.Name,
		WebURL:            p.WebURL,
		GitSSHURL:         sshURL,
		GitHTTPURL:        httpURL,
		Namespace:         namespace(p),
		PathWithNamespace: p.FullPath,
		DefaultBranch:     branch,
		Homepage:          p.WebURL,
		URL:               sshURL,
		SSHURL:            sshURL,
		HTTPURL:           httpURL,
	}
	push := PushEvent{
		ObjectKind:   string(Push),
		EventName:    string(Push),
		Before:       before,
		After:        after,
		Ref:          "refs/heads/" + branch,
		CheckoutSHA:  after,
		UserName:     user,
		UserUsername: user,
		ProjectID:    p.ID,
		Project:      project,
		Commits: []Commit{{
			ID:        after,
			Message:   "Test commit from glint\n\nSent by \"Test settings\" to check the integration.\n",
			Timestamp: "2019-11-22T12:00:00Z",
			URL:       p.WebURL + "/commit/" + after,
			Author:    Author{Name: user},
			Added:     []string{},
			Modified:  []string{"README.md"},
			Removed:   []string{},
		}},
		TotalCommitsCount: 1,
		PushOptions:       json.RawMessage(`{}`),
		Repository: Repository{
			Name:       p.Name,
			URL:        sshURL,
			Homepage:   p.WebURL,
			GitHTTPURL: httpURL,
			GitSSHURL:  sshURL,
		},
	}
	body, err := json.Marshal(push)
	if err != nil {
		panic("event: marshalling the sample push: " + err.Error()) // only plain strings and numbers
	}
	return "Push Hook", body
}

func fakeSHA(what, path string) string {
	sum := sha1.Sum([]byte("glint sample " + what + " " + path))
	return hex.EncodeToString(sum[:])
}

// cloneURLs are GitLab's git_ssh_url and git_http_url for the project.
func cloneURLs(p integration.Project) (ssh, http string) {
	if p.WebURL == "" {
		return "", ""
	}
	http = p.WebURL + ".git"
	if u, err := url.Parse(p.WebURL); err == nil && u.Hostname() != "" {
		ssh = "git@" + u.Hostname() + ":" + p.FullPath + ".git"
	}
	return ssh, http
}

// namespace is the human name of the project's namespace: "Group" of
// "Group / Project".
func namespace(p integration.Project) string {
	if i := strings.LastIndex(p.FullName, " / "); i >= 0 {
		return p.FullName[:i]
	}
	if i := strings.LastIndex(p.FullPath, "/"); i >= 0 {
		return p.FullPath[:i]
	}
	return ""
}

// SamplePipeline is the event "Test settings" sends to Pipeline emails,
// which GitLab's test button makes send whatever its filters say: a failed
// pipeline of the sample push's commit on the default branch, with one
// failed job, triggered by the given user. Failed pipelines on the
// default branch pass every filter but an unknown branches_to_be_notified.
func SamplePipeline(p integration.Project, user string) (header string, body []byte) {
	_, pushBody := SamplePush(p, user)
	var push PushEvent
	if err := json.Unmarshal(pushBody, &push); err != nil {
		panic("event: reading the sample push: " + err.Error())
	}
	branch := defaultBranchOr(push.Project.DefaultBranch)
	pipeline := map[string]any{
		"object_kind": "pipeline",
		"object_attributes": map[string]any{
			"id": 1, "ref": branch, "tag": false, "sha": push.After, "before_sha": push.Before, "source": "push",
			"status": "failed", "detailed_status": "failed", "stages": []string{"test"},
			"created_at": "2019-11-22 12:00:00 UTC", "finished_at": "2019-11-22 12:01:00 UTC", "duration": 60,
		},
		"merge_request": nil,
		"user":          map[string]any{"name": user, "username": user, "avatar_url": ""},
		"project":       push.Project,
		"commit":        push.Commits[0],
		"builds": []any{map[string]any{"id": 1, "stage": "test", "name": "test", "status": "failed",
			"created_at": "2019-11-22 12:00:00 UTC", "started_at": "2019-11-22 12:00:01 UTC", "finished_at": "2019-11-22 12:01:00 UTC",
			"when": "on_success", "manual": false, "allow_failure": false, "user": nil}},
	}
	body, err := json.Marshal(pipeline)
	if err != nil {
		panic("event: marshalling the sample pipeline: " + err.Error())
	}
	return "Pipeline Hook", body
}

func defaultBranchOr(branch string) string {
	if branch == "" {
		return "master"
	}
	return branch
}
