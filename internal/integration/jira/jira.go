// Package jira builds the requests of GitLab 12.5's "Jira" service
// (JiraService, jira-ruby 1.x over Gitlab::Jira::HttpClient). Jira gets no
// event payloads (JiraService#execute is a no-op): GitLab calls Jira's REST
// API v2 when a commit or a merge request mentions an issue key, and when a
// commit or a merge closes one.
//
// # Events
//
//   - Branch pushes (event.Push; the lead routes them under the service's
//     commit_events flag): every commit of the payload is read as
//     ProcessCommitWorker reads it. On the project's default branch the
//     keys of its closing statements ("Closes PROJ-1") are closed, and the
//     other keys are mentioned; on other branches all keys are mentioned.
//     Removed branches and tag pushes send nothing.
//   - Merge requests (event.MergeRequest; merge_requests_events): "open",
//     and "update" when the title or description changed
//     (create_new_cross_references!), mention the keys of the title and
//     description; "merge" into the default branch closes the keys of the
//     closing statements of the title, description and last commit
//     (MergeRequests::PostMergeService), with the last commit's sha as
//     GitLab's diff_head_sha.
//
// Other events send nothing. In GitLab closing is not gated by the event
// flags, only mentions are; glint's dispatcher gates both.
//
// # Requests
//
// Every request goes to <client url>/rest/api/2/..., the client url being
// api_url, or url when api_url is blank (one trailing "/" removed, as
// GitLab does, and any userinfo, query or fragment dropped), with
// Authorization: Basic base64(username:password) (username trimmed),
// Accept: application/json and Cookie: OBBasicAuth=fromDialog; writes have
// Content-Type: application/json. For each event:
//
//  1. GET /search?jql=key in ("PROJ-1",...)&validateQuery=false&fields=key
//     &maxResults=<n>, the n keys of the event in one search (up to 100
//     keys a search, see maxSearchKeys): which of the keys exist. Its answer decides the rest; keys Jira does not know get
//     nothing more. When Jira lists fewer issues than its total (it caps a
//     page, at 50 by default), the same search with &startAt=<listed so
//     far> follows the work of the page.
//
// A mention of PROJ-1 (a commit or a merge request, the "entity"):
//
//  2. GET /issue/PROJ-1?fields=comment; when a comment already contains
//     the text below, nothing more (comment_exists?);
//  3. GET /issue/PROJ-1/remotelink, to find a link to the entity;
//  4. PUT /issue/<id>/remotelink/<linkId> when found, else POST
//     /issue/<id>/remotelink, body {"GlobalID":"GitLab","relationship":
//     "mentioned on","object":{"url":<entity url>,"title":"Commit - <title>"
//     (or "Merge request - <title>"),"status":{"resolved":false},"icon":
//     {"title":"GitLab","url16x16":<icon>}}};
//  5. POST /issue/<id>/comment, {"body":<text>}, the text being
//     "[<user name>|<base>/<username>] mentioned this issue in [a commit of
//     <project full path>|<entity url>]:", a line break, and "'<title>'"
//     (the title less one trailing line break); "a merge request of" for a
//     merge request. The user is the pusher, or the merge request event's
//     user; the title is the commit's title (Commit#title: its first line,
//     cut to 80 characters and "…" when 100 or longer) or the merge
//     request's.
//
// A closing of PROJ-1 by a commit (or a merge, its last commit's sha):
//
//  2. GET /issue/PROJ-1?fields=resolution; a resolved issue gets nothing;
//  3. POST /issue/<id>/transitions, {"transition":{"id":"<id>"}}, for each
//     id of jira_issue_transition_id in order (its digit runs: GitLab scans
//     it with /\d+/, so "11, 21;31" is three ids);
//  4. GET /issue/PROJ-1?fields=resolution again; unless now resolved,
//     nothing more;
//  5. GET /issue/PROJ-1/remotelink, then PUT or POST the remote link with
//     title "Solved by commit <sha>.", status resolved true, url the commit
//     URL;
//  6. POST /issue/<id>/comment, {"body":"Issue solved with [<sha>|<commit
//     url>]."}.
//
// With a blank jira_issue_transition_id GitLab only looks the issue up, so
// glint sends nothing for the closing (the key is still not mentioned, as
// in GitLab). <id> is the numeric id Jira gave in the lookup answer: jira-ruby
// addresses comments, links and transitions under the "id".
// Entity URLs are <project web URL>/commit/<sha> and
// <project web URL>/merge_requests/<iid>; <base> is the web URL without
// the project's path. Bodies are encoded as Rails' to_json encodes them.
// comment_on_event_enabled (a flag of Jira's catalog entry, default true)
// turns the comments off, the links stay.
//
// # Issue keys
//
// Keys and closing statements are found as GitLab 12.5 finds them (see
// Keys, MarkdownKeys and ClosingKeys): the key pattern \b[A-Z][A-Z_0-9]+-\d+
// outside URLs, and for merge request descriptions outside code spans,
// fenced code blocks and inline links too; the closing pattern is GitLab's
// default. The 12.5 closing pattern is not confirmed (spec §13); what was
// found is in keys.go.
//
// # Where glint differs, and why
//
//   - The first request. GitLab looks each issue up and silently drops a key
//     Jira answers 404 to; glint's delivery stops at the first answer that
//     is not 2xx and marks the delivery failed. Text such as "UTF-8" or
//     "SHA-256" is a key to the pattern, so a bare lookup would fail every
//     delivery that quotes one and drop the keys after it. glint therefore
//     asks first, with a search Jira answers 200 whatever the keys, which
//     of them exist, and does GitLab's work for those only. A 404 can still
//     happen (an issue deleted between the two requests) and then fails the
//     delivery, as does any other error answer (GitLab logs and goes on with
//     the next commit; glint cannot).
//   - The lookups ask for fields=comment or fields=resolution, the only
//     fields GitLab reads: a whole issue is many times larger, and glint
//     reads at most 1 MiB of an answer (a larger one fails the delivery,
//     see docs/deliveries.md). Answers are read whole: every comment Jira
//     lists, every remote link. When Jira lists fewer comments than its
//     total, the issue is judged by its remote links: a link to the same
//     commit or merge request means the mention was made, as GitLab makes
//     both together. An existing link is updated at
//     /issue/<id>/remotelink/<linkId>, not at the "self" URL Jira gave
//     (which could point anywhere).
//   - The commit author. GitLab names the GitLab user whose email is the
//     commit's author email, else the pusher; glint knows no users and
//     always names the pusher (exact when the pusher wrote the commit).
//   - Commits. GitLab reads up to 100 commits of a push from the
//     repository (on a new branch, those not on the default branch); glint
//     reads the payload's commits (at most 20). GitLab skips closing for a
//     commit that is the merge commit of a merge request; glint knows no
//     merge requests and treats every commit as none (a second closing of
//     a resolved issue stops at the lookup). A merge request's closing
//     statements are read from its title, description and last commit
//     (GitLab reads all its commits).
//   - The remote link icon is <base>/assets/favicon.png: GitLab sends its
//     digested asset URL (/assets/favicon-<digest>.png), which glint
//     cannot know.
//   - A failed transition ends the delivery (GitLab logs "Issue transition
//     failed" and stops that issue only).
//   - An issue moved to another key is found by the search under its new
//     key, which glint does not match to the key mentioned: nothing is sent
//     for it (GitLab's lookup follows the move).
//   - Jira's session cookies are not sent back (see header in flow.go).
//
// # Facts re-checked in gitlabhq/gitlabhq and sumoheavy/jira-ruby
//
//   - jira_service.rb (the 12.x version with data_field and
//     comment_on_event_enabled): the comment and link texts above; the order
//     link then comment (send_message); comment_exists? as a substring test;
//     close_issue's order: lookup, stop if resolved or no transition id,
//     transitions (stop at the first failure), lookup by the key,
//     solved link and comment only if now resolved, no comment check there.
//   - jira-ruby: an issue's comments are read from the lookup answer
//     (has_many :comments, nested_under fields.comment), not fetched apart
//     (spec §13's GET .../comment is not what GitLab sends); remote links
//     are listed at /issue/<key>/remotelink; nested resources are written
//     under the "id"; Accept: application/json on every request.
//   - The key pattern, the transition id pattern /\d+/, Commit#title and
//     its "…", AutolinkFilter's LINK_PATTERN, the single-line pipeline
//     (no Markdown, so backticks in commit messages do not hide keys) and
//     ExternalIssueReferenceFilter skipping a, code and pre elements.
//   - ProcessCommitWorker: closings only on the default branch, closed
//     issues left out of the mentions; the commit author or the pusher.
//
// It knows events and the integration types; it must not import the API,
// the store or the delivery code.
package jira

import (
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

var (
	errURL        = errors.New("jira: the url is not set")
	errBadURL     = errors.New("jira: the url is not an http(s) URL")
	errBadAPIURL  = errors.New("jira: the api_url is not an http(s) URL")
	errUsername   = errors.New("jira: the username is not set")
	errPassword   = errors.New("jira: the password is not set")
	errTransition = errors.New("jira: jira_issue_transition_id holds no transition id (numbers split with , or ;)")
)

// transitionID is Gitlab::Regex.jira_transition_id_regex, /\d+/.
var transitionID = regexp.MustCompile(`[0-9]+`)

// action is one thing GitLab does with Jira for an event: a mention of
// key by a commit or merge request, or a closing of key by a commit.
type action struct {
	key     string
	mention *mention
	close   *closing
}

// mention is the entity that mentions an issue and who mentioned it.
type mention struct {
	entity        string // "commit" or "merge request"
	url, title    string
	user, userURL string
	project       string // the project's full path
}

// comment is the text of add_comment.
func (m *mention) comment() string {
	return "[" + m.user + "|" + m.userURL + "] mentioned this issue in [a " + m.entity + " of " + m.project + "|" + m.url + "]:\n'" + chomp(m.title) + "'"
}

// linkTitle is "<Entity> - <title>" (entity_name.capitalize).
func (m *mention) linkTitle() string {
	return strings.ToUpper(m.entity[:1]) + m.entity[1:] + " - " + m.title
}

// closing is the commit that closes an issue.
type closing struct {
	sha, url string
}

// Build returns the requests for a push or merge request event, or
// nothing for other events. settings are the service's resolved
// properties.
func Build(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	if (ev.Kind != event.Push || ev.Push == nil) && (ev.Kind != event.MergeRequest || ev.MergeRequest == nil) {
		return nil, nil
	}
	p = gitlabProject(ev, p)
	c, err := newClient(settings, p)
	if err != nil {
		return nil, err
	}
	var work []action
	if ev.Push != nil {
		work = pushActions(ev.Push, p, len(c.ids) > 0)
	} else {
		work = mergeRequestActions(ev.MergeRequest, p, len(c.ids) > 0)
	}
	var keys []string
	for _, a := range work {
		if !slices.Contains(keys, a.key) {
			keys = append(keys, a.key)
		}
	}
	var reqs []integration.Request
	for len(keys) > 0 {
		n := min(len(keys), maxSearchKeys)
		reqs = append(reqs, c.search(keys[:n], work, 0))
		keys = keys[n:]
	}
	return reqs, nil
}

// Settings are Jira's properties and its comment_on_event_enabled flag,
// decoded by catalog.Decode (the flag is true unless set, the catalog's
// default).
type Settings struct {
	URL                   string `field:"url"`
	APIURL                string `field:"api_url"`
	Username              string `field:"username"`
	Password              string `field:"password"`
	TransitionID          string `field:"jira_issue_transition_id"`
	CommentOnEventEnabled bool   `field:"comment_on_event_enabled"`
}

// newClient reads the settings.
func newClient(settings map[string]any, p integration.Project) (client, error) {
	cfg, err := catalog.Decode[Settings]("jira", settings)
	if err != nil {
		return client{}, err
	}
	web := strings.TrimSpace(cfg.URL)
	if web == "" {
		return client{}, errURL
	}
	base, ok := restBase(web)
	if !ok {
		return client{}, errBadURL
	}
	if api := strings.TrimSpace(cfg.APIURL); api != "" {
		if base, ok = restBase(api); !ok {
			return client{}, errBadAPIURL
		}
	}
	username := strings.TrimSpace(cfg.Username)
	if username == "" {
		return client{}, errUsername
	}
	password := cfg.Password
	if password == "" {
		return client{}, errPassword
	}
	c := client{api: base, auth: integration.BasicAuth(username, password), icon: gitlabBase(p) + "/assets/favicon.png", notes: cfg.CommentOnEventEnabled}
	if ids := cfg.TransitionID; ids != "" {
		if c.ids = transitionID.FindAllString(ids, -1); len(c.ids) == 0 {
			return client{}, errTransition
		}
	}
	return c, nil
}

// restBase is the client URL requests are built on: scheme, host and path
// of s less one trailing "/" (GitLab's delete_suffix('/'), then jira-ruby's
// site and context_path). The "/" is taken off the path, not off the
// whole URL, so that a query or fragment (dropped) does not keep it.
func restBase(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	return u.Scheme + "://" + u.Host + strings.TrimSuffix(u.EscapedPath(), "/"), true
}

// gitlabProject is the project as the GitLab that sent the event knows
// it: the links GitLab writes into Jira (entity URLs, the author's
// profile, the favicon) are built on its own Settings.gitlab.base_url,
// and glint has no such pages. So the project's web URL and full path
// are the payload's project web_url and path_with_namespace, when it
// names them.
func gitlabProject(ev *event.Event, p integration.Project) integration.Project {
	p.WebURL = event.LinkBase(ev, p)
	var path string
	switch {
	case ev.Push != nil:
		path = ev.Push.Project.PathWithNamespace
	case ev.MergeRequest != nil:
		path = ev.MergeRequest.Project.PathWithNamespace
	}
	if path != "" && ev.ProjectWebURL() != "" {
		p.FullPath = path
	}
	return p
}

// gitlabBase is Settings.gitlab.base_url (with the relative URL root, as
// GitLab's path helpers add it): the project's web URL less its path.
func gitlabBase(p integration.Project) string {
	web := strings.TrimSuffix(p.WebURL, "/")
	if p.FullPath != "" {
		if base, ok := strings.CutSuffix(web, "/"+p.FullPath); ok {
			return base
		}
	}
	if u, err := url.Parse(web); err == nil && u.Host != "" {
		return u.Scheme + "://" + u.Host
	}
	return web
}

// pushActions are ProcessCommitWorker's, for each commit of a branch push:
// on the default branch the closings first (when transitions are set),
// then the mentions of the keys not closed.
func pushActions(e *event.PushEvent, p integration.Project, transitions bool) []action {
	if event.IsTagRef(e.Ref) || e.After == event.BlankSHA {
		return nil
	}
	onDefault := p.DefaultBranch != "" && event.RefName(e.Ref) == p.DefaultBranch
	base := gitlabBase(p)
	var work []action
	for _, c := range e.Commits {
		commitURL := p.WebURL + "/commit/" + c.ID
		var closed []string
		if onDefault {
			closed = ClosingKeys(c.Message)
		}
		for _, k := range closed {
			if transitions {
				work = append(work, action{key: k, close: &closing{sha: c.ID, url: commitURL}})
			}
		}
		m := &mention{entity: "commit", url: commitURL, title: commitTitle(c.Message),
			user: e.UserName, userURL: base + "/" + e.UserUsername, project: p.FullPath}
		for _, k := range Keys(c.Message) {
			if !slices.Contains(closed, k) {
				work = append(work, action{key: k, mention: m})
			}
		}
	}
	return work
}

// mergeRequestActions: mentions on open and on updates of the title or
// description, closings on a merge into the default branch.
func mergeRequestActions(e *event.MergeRequestEvent, p integration.Project, transitions bool) []action {
	a := e.ObjectAttributes
	iid := strconv.FormatInt(a.IID, 10)
	switch {
	case a.Action == "open" || a.Action == "update" && changed(e.Changes, "title", "description"):
		m := &mention{entity: "merge request", url: p.WebURL + "/merge_requests/" + iid, title: a.Title,
			user: e.User.Name, userURL: gitlabBase(p) + "/" + e.User.Username, project: p.FullPath}
		var keys []string
		for _, k := range append(Keys(a.Title), MarkdownKeys(a.Description)...) {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
		work := make([]action, len(keys))
		for i, k := range keys {
			work[i] = action{key: k, mention: m}
		}
		return work
	case a.Action == "merge" && transitions && p.DefaultBranch != "" && a.TargetBranch == p.DefaultBranch && a.LastCommit.ID != "":
		cl := &closing{sha: a.LastCommit.ID, url: p.WebURL + "/commit/" + a.LastCommit.ID}
		var work []action
		for _, k := range ClosingKeys(a.Title + "\n" + a.Description + "\n" + a.LastCommit.Message) {
			work = append(work, action{key: k, close: cl})
		}
		return work
	}
	return nil
}

// changed reports whether a merge request's changes name any of fields.
func changed(changes json.RawMessage, fields ...string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(changes, &m) != nil {
		return false
	}
	for _, f := range fields {
		if _, ok := m[f]; ok {
			return true
		}
	}
	return false
}

// commitTitle is Commit#title: the first line of the message, or
// "--no commit message" for a blank one; a line of 100 characters or more
// is cut at the last space within its first 81 characters (or at 80) and
// ends with "…" (String#truncate(81, separator: ' ', omission: '…')).
func commitTitle(message string) string {
	if strings.TrimSpace(message) == "" {
		return "--no commit message"
	}
	first := message
	if i := strings.IndexAny(message, "\r\n"); i >= 0 {
		first = message[:i]
	}
	r := []rune(first)
	if len(r) < 100 {
		return first
	}
	stop := 80
	for i := 80; i >= 0; i-- {
		if r[i] == ' ' {
			stop = i
			break
		}
	}
	return string(r[:stop]) + "…"
}

// chomp is Ruby's String#chomp: one trailing "\r\n", "\n" or "\r" less.
func chomp(s string) string {
	switch {
	case strings.HasSuffix(s, "\r\n"):
		return s[:len(s)-2]
	case strings.HasSuffix(s, "\n"), strings.HasSuffix(s, "\r"):
		return s[:len(s)-1]
	}
	return s
}
