package gitpush

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// MaxCommits is how many commits a payload lists: the newest ones, as
// GitLab's push data builder keeps.
const MaxCommits = 20

// Settings say what the payload tells of the project and the pusher: what
// git cannot know.
type Settings struct {
	// ProjectID is glint's project id when the hook names the project by
	// id (0 otherwise: project_id is then null).
	ProjectID int64
	// ProjectPath is the project's full path ("group/project") when the
	// hook names it by path; empty otherwise (glint then uses its own).
	ProjectPath string
	// Name is the project's name; the last part of ProjectPath if empty.
	Name        string
	Description string
	// WebURL is the repository browser's page of the project: the
	// project's web_url and homepage, and what the integrations build
	// branch and compare links on.
	WebURL string
	// CommitURL is a commit's page, with {sha} standing for the commit
	// id; <WebURL>/commit/{sha} when empty.
	CommitURL string
	// CompareURL is the page comparing two commits, with {before} and
	// {after}; when set, the payload carries it as glint_compare_url.
	CompareURL string
	// CloneURL is the repository's clone URL (url, git_http_url or
	// git_ssh_url by its scheme); optional.
	CloneURL string
	// Pusher is who pushed; when it has neither name nor email, the
	// committer of the newest commit of the push stands in (with the
	// pusher's username, if any).
	Pusher Pusher
}

// Pusher is the user a push is attributed to.
type Pusher struct {
	Name, Email, Username string
}

// Event is one webhook request to send.
type Event struct {
	// Header is the X-Gitlab-Event value: "Push Hook" or "Tag Push Hook".
	Header  string
	Payload *Payload
}

// Builder builds the events of one repository.
type Builder struct {
	repo *git.Repository
	s    Settings
}

// NewBuilder reads the pushes of repo as s says.
func NewBuilder(repo *git.Repository, s Settings) *Builder {
	return &Builder{repo: repo, s: s}
}

// Build makes the event of one ref update. It returns nil (and no error)
// for refs that are neither branches nor tags, as GitLab sends no push
// hook for them.
func (b *Builder) Build(ctx context.Context, u Update) (*Event, error) {
	var ev Event
	var p Payload
	switch {
	case strings.HasPrefix(u.Ref, "refs/heads/"):
		ev.Header, p.ObjectKind = "Push Hook", "push"
	case strings.HasPrefix(u.Ref, "refs/tags/"):
		ev.Header, p.ObjectKind = "Tag Push Hook", "tag_push"
	default:
		return nil, nil
	}
	p.EventName = p.ObjectKind
	p.Before, p.After, p.Ref = u.Old, u.New, u.Ref
	p.PushOptions = map[string]any{}
	b.describeProject(&p)

	var tip *object.Commit // the commit the ref now points at
	if !u.Delete() {
		c, tag, err := b.peel(u.New)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", u.Ref, err)
		}
		tip = c
		sha := c.Hash.String()
		p.CheckoutSHA = &sha
		if tag != nil && p.ObjectKind == "tag_push" {
			msg := strings.TrimSuffix(tag.Message, "\n")
			p.Message = &msg
		}
	}

	all, err := b.pushedCommits(ctx, u, tip)
	if err != nil {
		return nil, fmt.Errorf("%s: listing commits: %w", u.Ref, err)
	}
	p.TotalCommitsCount = len(all)
	commits := all[max(0, len(all)-MaxCommits):]
	p.Commits = make([]Commit, 0, len(commits))
	for _, c := range commits {
		hc, err := b.commitAttrs(ctx, c)
		if err != nil {
			return nil, fmt.Errorf("%s: commit %s: %w", u.Ref, c.Hash, err)
		}
		p.Commits = append(p.Commits, hc)
	}

	if err := b.addDiffs(ctx, &p, u, tip, all); err != nil {
		return nil, fmt.Errorf("%s: diffs: %w", u.Ref, err)
	}
	if b.s.CompareURL != "" && !u.Create() && !u.Delete() {
		p.GlintCompareURL = strings.NewReplacer("{before}", u.Old, "{after}", u.New).Replace(b.s.CompareURL)
	}
	if err := b.setPusher(&p, u, tip, commits); err != nil {
		return nil, fmt.Errorf("%s: %w", u.Ref, err)
	}
	ev.Payload = &p
	return &ev, nil
}

// describeProject fills the project and repository blocks.
func (b *Builder) describeProject(p *Payload) {
	s := b.s
	if s.ProjectID > 0 {
		id := s.ProjectID
		p.ProjectID = &id
	}
	name, namespace := s.Name, ""
	if i := strings.LastIndex(s.ProjectPath, "/"); i >= 0 {
		namespace = s.ProjectPath[:i]
		if name == "" {
			name = s.ProjectPath[i+1:]
		}
	} else if name == "" {
		name = s.ProjectPath
	}
	var sshURL, httpURL string
	if strings.HasPrefix(s.CloneURL, "http://") || strings.HasPrefix(s.CloneURL, "https://") {
		httpURL = s.CloneURL
	} else {
		sshURL = s.CloneURL
	}
	p.Project = Project{ID: p.ProjectID, Name: name, Description: s.Description, WebURL: s.WebURL,
		GitSSHURL: sshURL, GitHTTPURL: httpURL, Namespace: namespace, PathWithNamespace: s.ProjectPath,
		DefaultBranch: b.defaultBranch(), Homepage: s.WebURL, URL: s.CloneURL, SSHURL: sshURL, HTTPURL: httpURL}
	p.Repository = Repository{Name: name, URL: s.CloneURL, Description: s.Description, Homepage: s.WebURL,
		GitHTTPURL: httpURL, GitSSHURL: sshURL}
}

// defaultBranch is the branch HEAD names (it need not exist yet).
func (b *Builder) defaultBranch() string {
	ref, err := b.repo.Storer.Reference(plumbing.HEAD)
	if err != nil || ref.Type() != plumbing.SymbolicReference {
		return ""
	}
	return strings.TrimPrefix(ref.Target().String(), "refs/heads/")
}

// peel finds the commit an object name leads to, through annotated tags;
// tag is the first tag object met, if any.
func (b *Builder) peel(sha string) (c *object.Commit, tag *object.Tag, err error) {
	h := plumbing.NewHash(sha)
	for range 10 {
		obj, err := b.repo.Object(plumbing.AnyObject, h)
		if err != nil {
			return nil, nil, fmt.Errorf("reading %s: %w", h, err)
		}
		switch o := obj.(type) {
		case *object.Commit:
			return o, tag, nil
		case *object.Tag:
			if tag == nil {
				tag = o
			}
			h = o.Target
		default:
			return nil, nil, fmt.Errorf("%s is a %s, not a commit", h, obj.Type())
		}
	}
	return nil, nil, errors.New("too many nested tags")
}

// pushedCommits are the commits GitLab counts for the update, oldest
// first (the payload lists the MaxCommits newest):
//   - a tag: the commit it points at (none when deleted);
//   - an updated branch: old..new (for a force push, the commits of new
//     that old did not have; none for a rewind);
//   - a new branch: the commits not on the default branch, or the whole
//     history when it is the default branch;
//   - a deleted branch: none.
func (b *Builder) pushedCommits(ctx context.Context, u Update, tip *object.Commit) ([]*object.Commit, error) {
	if tip == nil {
		return nil, nil
	}
	if strings.HasPrefix(u.Ref, "refs/tags/") {
		return []*object.Commit{tip}, nil
	}
	var exclude []plumbing.Hash
	if !u.Create() {
		old, _, err := b.peel(u.Old)
		if err != nil {
			return nil, err
		}
		exclude = append(exclude, old.Hash)
	} else if def := b.defaultBranch(); def != "" && u.Ref != "refs/heads/"+def {
		if ref, err := b.repo.Reference(plumbing.NewBranchReferenceName(def), true); err == nil {
			exclude = append(exclude, ref.Hash())
		}
	}
	return commitsBetween(ctx, b.repo, tip, exclude)
}

// commitAttrs is GitLab's Commit#hook_attrs(with_changed_files: true).
func (b *Builder) commitAttrs(ctx context.Context, c *object.Commit) (Commit, error) {
	hc := Commit{ID: c.Hash.String(), Message: c.Message, Title: title(c.Message),
		Timestamp: c.Committer.When.Format("2006-01-02T15:04:05Z07:00"), URL: b.commitURL(c.Hash.String()),
		Author: Author{Name: c.Author.Name, Email: c.Author.Email},
		Added:  []string{}, Modified: []string{}, Removed: []string{}}
	var parent *object.Tree
	if c.NumParents() > 0 {
		pc, err := c.Parent(0)
		if err != nil {
			return hc, err
		}
		if parent, err = pc.Tree(); err != nil {
			return hc, err
		}
	}
	tree, err := c.Tree()
	if err != nil {
		return hc, err
	}
	changes, err := object.DiffTreeWithOptions(ctx, parent, tree, diffOptions)
	if err != nil {
		return hc, err
	}
	// As GitLab's Commit#repo_changes: a rename counts as an addition.
	for _, ch := range changes {
		switch {
		case ch.To.Name == "":
			hc.Removed = append(hc.Removed, ch.From.Name)
		case ch.From.Name == "" || ch.From.Name != ch.To.Name:
			hc.Added = append(hc.Added, ch.To.Name)
		default:
			hc.Modified = append(hc.Modified, ch.To.Name)
		}
	}
	return hc, nil
}

func (b *Builder) commitURL(sha string) string {
	switch {
	case b.s.CommitURL != "":
		return strings.ReplaceAll(b.s.CommitURL, "{sha}", sha)
	case b.s.WebURL != "":
		return strings.TrimSuffix(b.s.WebURL, "/") + "/commit/" + sha
	}
	return ""
}

// title is GitLab's Commit#title: the first line, cut at a word to 80
// characters and an ellipsis when it has 100 or more.
func title(message string) string {
	first, _, _ := strings.Cut(message, "\n")
	first, _, _ = strings.Cut(first, "\r")
	if strings.TrimSpace(message) == "" {
		return "--no commit message"
	}
	if utf8.RuneCountInString(first) < 100 {
		return first
	}
	runes := []rune(first)
	stop := 80
	for i := stop; i >= 0; i-- {
		if runes[i] == ' ' {
			stop = i
			break
		}
	}
	return string(runes[:stop]) + "…"
}

// setPusher names the user: the pusher given, else the committer of the
// newest commit of the push, else of the commit the ref pointed at.
func (b *Builder) setPusher(p *Payload, u Update, tip *object.Commit, commits []*object.Commit) error {
	if b.s.Pusher.Name != "" || b.s.Pusher.Email != "" {
		p.UserName, p.UserEmail, p.UserUsername = b.s.Pusher.Name, b.s.Pusher.Email, b.s.Pusher.Username
		return nil
	}
	c := tip
	if len(commits) > 0 {
		c = commits[len(commits)-1]
	}
	if c == nil {
		old, _, err := b.peel(u.Old)
		if err != nil {
			return err
		}
		c = old
	}
	p.UserName, p.UserEmail, p.UserUsername = c.Committer.Name, c.Committer.Email, b.s.Pusher.Username
	return nil
}
