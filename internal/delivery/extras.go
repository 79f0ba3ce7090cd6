package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

// Emails on push (catalog.Service.PushContext) needs more than the event
// and its settings: the project's external issue tracker (to link issue
// references) and, for a push from GitLab that came without its diff, the
// diff from the project's GitLab source, fetched now.

// maxCompare bounds a GitLab compare answer read for a diff.
const maxCompare = 8 << 20

func (d *Deliverer) extras(ctx context.Context, p *store.Project, slug string, ev *event.Event, info *integration.Project) error {
	if svc, _ := catalog.Lookup(slug); svc == nil || !svc.PushContext || ev.Push == nil {
		return nil
	}
	services, err := d.st.Services(ctx, p.ID)
	if err != nil {
		return err
	}
	info.IssueTracker = issueTracker(services)
	return d.fetchDiff(ctx, p, ev.Push)
}

// issueTracker is the first active external issue tracker with an
// issues_url, in the catalog's order.
func issueTracker(services []store.Service) *integration.IssueTracker {
	for _, tracker := range catalog.All() {
		if !tracker.IssueTracker {
			continue
		}
		for _, sv := range services {
			if sv.Slug != tracker.Slug || !sv.Active {
				continue
			}
			issues, _ := sv.Properties["issues_url"].(string)
			if issues == "" {
				continue
			}
			title, _ := sv.Properties["title"].(string)
			if title == "" {
				title = tracker.Title
			}
			return &integration.IssueTracker{Title: title, IssuesURL: issues, LongOnly: tracker.LongIssueReferences}
		}
	}
	return nil
}

// compareAnswer is the part of GitLab's compare API answer
// (GET /projects/:id/repository/compare) glint reads.
type compareAnswer struct {
	Commits []struct {
		ID          string `json:"id"`
		Title       string `json:"title"`
		Message     string `json:"message"`
		AuthorName  string `json:"author_name"`
		AuthorEmail string `json:"author_email"`
		CreatedAt   string `json:"created_at"`
		WebURL      string `json:"web_url"`
	} `json:"commits"`
	Diffs          []event.Diff `json:"diffs"`
	CompareTimeout bool         `json:"compare_timeout"`
}

// fetchDiff fills a push's diff (and, for a force push that removed
// commits, those commits) from the project's GitLab source, when the push
// has none and the project has a source. A source that cannot be read
// leaves the diff out, with the reason for the mail to give; only the
// database being out of reach is an error.
func (d *Deliverer) fetchDiff(ctx context.Context, p *store.Project, push *event.PushEvent) error {
	if push.GlintDiffs != nil || push.Before == event.BlankSHA || push.After == event.BlankSHA || push.Before == push.After {
		return nil
	}
	src, err := d.st.GitLabSource(ctx, p.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	token, err := d.sealer.Open(src.SealedToken, settings.GitLabSourceTokenAD)
	if err != nil {
		push.DiffError = "the GitLab source's token cannot be opened"
		return nil
	}
	from, to := push.Before, push.After
	reverse := len(push.Commits) == 0
	if reverse {
		from, to = to, from
	}
	pid := push.ProjectID
	if pid == 0 {
		pid = push.Project.ID
	}
	u := src.URL + "/api/v4/projects/" + strconv.FormatInt(pid, 10) + "/repository/compare?" +
		url.Values{"from": {from}, "to": {to}}.Encode()
	// No redirect is followed: Go would send the PRIVATE-TOKEN header on
	// to whatever host a redirect names.
	res, err := d.client.Read(ctx, integration.Request{Method: http.MethodGet, URL: u, NoRedirects: true,
		Header: http.Header{"Private-Token": {token}, "Accept": {"application/json"}}}, maxCompare)
	switch {
	case err != nil:
		push.DiffError = err.Error()
		return nil
	case res.Status != http.StatusOK:
		// A 3xx included: the source's URL should be the one that answers.
		push.DiffError = fmt.Sprintf("the GitLab source answered HTTP %d", res.Status)
		return nil
	}
	var answer compareAnswer
	if err := json.Unmarshal(res.Body, &answer); err != nil {
		push.DiffError = "the GitLab source's answer is not a comparison"
		return nil
	}
	push.GlintDiffs = append([]event.Diff{}, answer.Diffs...)
	push.GlintDiffsTruncated = answer.CompareTimeout
	if reverse {
		for _, c := range answer.Commits {
			push.DeletedCommits = append(push.DeletedCommits, event.Commit{ID: c.ID, Title: c.Title, Message: c.Message,
				Timestamp: c.CreatedAt, URL: c.WebURL, Author: event.Author{Name: c.AuthorName, Email: c.AuthorEmail}})
		}
	}
	return nil
}
