package gitpush

import "github.com/glint-dev/glint/internal/event"

// The types below are GitLab 12.5's push hook data
// (Gitlab::DataBuilder::Push.build), keys in GitLab's order, so that the
// payload reads as GitLab's fixture (push.json, tag_push.json). Values
// glint cannot know (user_id, avatars) are null rather than invented.

// Payload is a push or tag push event body.
type Payload struct {
	ObjectKind string `json:"object_kind"`
	EventName  string `json:"event_name"`
	Before     string `json:"before"`
	After      string `json:"after"`
	Ref        string `json:"ref"`
	// CheckoutSHA is the commit the ref now points at (a tag's target
	// commit); null for a delete.
	CheckoutSHA *string `json:"checkout_sha"`
	// Message is an annotated tag's message; null otherwise.
	Message      *string `json:"message"`
	UserID       *int64  `json:"user_id"`
	UserName     string  `json:"user_name"`
	UserUsername string  `json:"user_username"`
	UserEmail    string  `json:"user_email"`
	UserAvatar   *string `json:"user_avatar"`
	// ProjectID is glint's project id when the hook names it by id; null
	// when it names it by path.
	ProjectID         *int64         `json:"project_id"`
	Project           Project        `json:"project"`
	Commits           []Commit       `json:"commits"`
	TotalCommitsCount int            `json:"total_commits_count"`
	PushOptions       map[string]any `json:"push_options"`
	Repository        Repository     `json:"repository"`

	// The extensions below are glint's own (docs/git-hook.md); GitLab's
	// payloads never carry them.

	// GlintDiffs are the changes between before and after, shaped as the
	// entries of GitLab's compare API; absent when there is no diff to
	// give (a delete, a new tag), empty when there is no change.
	GlintDiffs *[]event.Diff `json:"glint_diffs,omitempty"`
	// GlintDiffsTruncated is set when GlintDiffs stopped at its bound.
	GlintDiffsTruncated bool `json:"glint_diffs_truncated,omitempty"`
	// GlintCompareURL is the repository browser's page comparing before
	// and after (from the hook's compare URL template).
	GlintCompareURL string `json:"glint_compare_url,omitempty"`
}

// Project is GitLab's project hook attributes, with the backward
// compatible keys GitLab 12.5 still sends.
type Project struct {
	ID                *int64  `json:"id"`
	Name              string  `json:"name"`
	Description       string  `json:"description"`
	WebURL            string  `json:"web_url"`
	AvatarURL         *string `json:"avatar_url"`
	GitSSHURL         string  `json:"git_ssh_url"`
	GitHTTPURL        string  `json:"git_http_url"`
	Namespace         string  `json:"namespace"`
	VisibilityLevel   int     `json:"visibility_level"`
	PathWithNamespace string  `json:"path_with_namespace"`
	DefaultBranch     string  `json:"default_branch"`
	Homepage          string  `json:"homepage"`
	URL               string  `json:"url"`
	SSHURL            string  `json:"ssh_url"`
	HTTPURL           string  `json:"http_url"`
}

// Repository is the deprecated "repository" block.
type Repository struct {
	Name            string `json:"name"`
	URL             string `json:"url"`
	Description     string `json:"description"`
	Homepage        string `json:"homepage"`
	GitHTTPURL      string `json:"git_http_url"`
	GitSSHURL       string `json:"git_ssh_url"`
	VisibilityLevel int    `json:"visibility_level"`
}

// Commit and Author are the event package's: what glint's intake reads.
type (
	Commit = event.Commit
	Author = event.Author
)
