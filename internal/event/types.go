package event

import "encoding/json"

// The payload types below hold the fields of GitLab's webhook bodies that
// integrations use (spec §13), named and ordered as GitLab sends them.
// Fields GitLab may send as null decode to their zero value; fields whose
// null means something ("no user") are pointers. Timestamps stay strings:
// GitLab's layouts differ from one event kind to another.

// User is GitLab's user hook attributes.
type User struct {
	ID        int64  `json:"id,omitempty"`
	Name      string `json:"name"`
	Username  string `json:"username"`
	AvatarURL string `json:"avatar_url"`
	Email     string `json:"email,omitempty"`
}

// Project is GitLab's project hook attributes.
type Project struct {
	ID                int64  `json:"id"`
	Name              string `json:"name"`
	Description       string `json:"description"`
	WebURL            string `json:"web_url"`
	AvatarURL         string `json:"avatar_url"`
	GitSSHURL         string `json:"git_ssh_url"`
	GitHTTPURL        string `json:"git_http_url"`
	Namespace         string `json:"namespace"`
	VisibilityLevel   int    `json:"visibility_level"`
	PathWithNamespace string `json:"path_with_namespace"`
	DefaultBranch     string `json:"default_branch"`
	Homepage          string `json:"homepage,omitempty"`
	URL               string `json:"url,omitempty"`
	SSHURL            string `json:"ssh_url,omitempty"`
	HTTPURL           string `json:"http_url,omitempty"`
}

// Repository is the deprecated "repository" block (a subset of Project).
type Repository struct {
	Name            string `json:"name"`
	URL             string `json:"url,omitempty"`
	Description     string `json:"description"`
	Homepage        string `json:"homepage"`
	GitHTTPURL      string `json:"git_http_url,omitempty"`
	GitSSHURL       string `json:"git_ssh_url,omitempty"`
	VisibilityLevel int    `json:"visibility_level"`
}

// Author is a commit's author.
type Author struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Commit is GitLab's commit hook attributes.
type Commit struct {
	ID      string `json:"id"`
	Message string `json:"message"`
	// Title is the first line of Message; later GitLab versions send it,
	// 12.5 may not.
	Title     string   `json:"title,omitempty"`
	Timestamp string   `json:"timestamp"`
	URL       string   `json:"url"`
	Author    Author   `json:"author"`
	Added     []string `json:"added"`
	Modified  []string `json:"modified"`
	Removed   []string `json:"removed"`
}

// Label is a label's hook attributes.
type Label struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	Color       string `json:"color"`
	Description string `json:"description"`
	Type        string `json:"type"`
}

// PushEvent is a push or tag push ("Push Hook", "Tag Push Hook").
type PushEvent struct {
	ObjectKind string `json:"object_kind"`
	EventName  string `json:"event_name,omitempty"`
	Before     string `json:"before"`
	After      string `json:"after"`
	// Ref is the full ref: refs/heads/<branch> or refs/tags/<tag>.
	Ref string `json:"ref"`
	// CheckoutSHA is empty when the ref was deleted.
	CheckoutSHA string `json:"checkout_sha"`
	// Message is a tag's annotation; nil for branches and light tags.
	Message      *string `json:"message"`
	UserID       int64   `json:"user_id"`
	UserName     string  `json:"user_name"` // the display name
	UserUsername string  `json:"user_username"`
	UserEmail    string  `json:"user_email"`
	UserAvatar   string  `json:"user_avatar"`
	ProjectID    int64   `json:"project_id"`
	Project      Project `json:"project"`
	// Commits are at most the 20 newest, oldest first.
	Commits []Commit `json:"commits"`
	// TotalCommitsCount is the true number of commits pushed.
	TotalCommitsCount int             `json:"total_commits_count"`
	PushOptions       json.RawMessage `json:"push_options,omitempty"`
	Repository        Repository      `json:"repository"`
	// GlintCompareURL is glint's extension from "glint hook" (never in
	// GitLab's payloads): the repository browser's compare page.
	GlintCompareURL string `json:"glint_compare_url,omitempty"`
	// GlintDiffs are the push's file diffs, sent by `glint hook
	// post-receive` (a glint extension; GitLab's payloads never carry
	// it): nil when absent.
	GlintDiffs []Diff `json:"glint_diffs,omitempty"`
	// GlintDiffsTruncated says the hook stopped adding diffs at its bound.
	GlintDiffsTruncated bool `json:"glint_diffs_truncated,omitempty"`
	// DeletedCommits are the commits a force push removed (after is an
	// ancestor of before), oldest first. No payload carries them: the
	// deliverer fills them from the project's GitLab source.
	DeletedCommits []Commit `json:"-"`
	// DiffError says why the deliverer could not fetch the diff from the
	// project's GitLab source; "" when it did or there is none.
	DiffError string `json:"-"`
}

// CompareURL is the page comparing before and after: the hook's own when
// the payload has one, else GitLab's <project URL>/compare/<before>...<after>.
func (e *PushEvent) CompareURL(projectURL string) string {
	if e.GlintCompareURL != "" {
		return e.GlintCompareURL
	}
	return projectURL + "/compare/" + e.Before + "..." + e.After
}

// Diff is one file's change, shaped as the entries of GitLab's compare
// API "diffs" (GET /projects/:id/repository/compare): Diff is the unified
// diff from its first "@@" hunk line, without the file headers.
type Diff struct {
	OldPath     string `json:"old_path"`
	NewPath     string `json:"new_path"`
	AMode       string `json:"a_mode"`
	BMode       string `json:"b_mode"`
	NewFile     bool   `json:"new_file"`
	RenamedFile bool   `json:"renamed_file"`
	DeletedFile bool   `json:"deleted_file"`
	Diff        string `json:"diff"`
}

// IssueAttributes are an issue's hook attributes.
type IssueAttributes struct {
	ID           int64   `json:"id"`
	IID          int64   `json:"iid"`
	Title        string  `json:"title"`
	Description  string  `json:"description"`
	State        string  `json:"state"`  // opened, closed
	Action       string  `json:"action"` // open, close, reopen, update
	URL          string  `json:"url"`
	Confidential bool    `json:"confidential"`
	AuthorID     int64   `json:"author_id"`
	AssigneeIDs  []int64 `json:"assignee_ids"`
	ProjectID    int64   `json:"project_id"`
	CreatedAt    string  `json:"created_at"`
	UpdatedAt    string  `json:"updated_at"`
}

// IssueEvent is an issue or confidential issue event.
type IssueEvent struct {
	ObjectKind       string          `json:"object_kind"`
	EventType        string          `json:"event_type"`
	User             User            `json:"user"`
	Project          Project         `json:"project"`
	ObjectAttributes IssueAttributes `json:"object_attributes"`
	Assignees        []User          `json:"assignees"`
	Labels           []Label         `json:"labels"`
	Changes          json.RawMessage `json:"changes"`
}

// MergeRequestAttributes are a merge request's hook attributes.
type MergeRequestAttributes struct {
	ID              int64   `json:"id"`
	IID             int64   `json:"iid"`
	Title           string  `json:"title"`
	Description     string  `json:"description"`
	State           string  `json:"state"`  // opened, closed, merged, locked
	Action          string  `json:"action"` // open, close, reopen, update, merge
	URL             string  `json:"url"`
	SourceBranch    string  `json:"source_branch"`
	TargetBranch    string  `json:"target_branch"`
	SourceProjectID int64   `json:"source_project_id"`
	TargetProjectID int64   `json:"target_project_id"`
	Source          Project `json:"source"`
	Target          Project `json:"target"`
	LastCommit      Commit  `json:"last_commit"`
	WorkInProgress  bool    `json:"work_in_progress"`
	MergeStatus     string  `json:"merge_status"`
	AuthorID        int64   `json:"author_id"`
	AssigneeID      int64   `json:"assignee_id"`
	CreatedAt       string  `json:"created_at"`
	UpdatedAt       string  `json:"updated_at"`
}

// MergeRequestEvent is a merge request event.
type MergeRequestEvent struct {
	ObjectKind       string                 `json:"object_kind"`
	EventType        string                 `json:"event_type"`
	User             User                   `json:"user"`
	Project          Project                `json:"project"`
	ObjectAttributes MergeRequestAttributes `json:"object_attributes"`
	Labels           []Label                `json:"labels"`
	Changes          json.RawMessage        `json:"changes"`
}

// NoteAttributes are a comment's hook attributes.
type NoteAttributes struct {
	ID           int64  `json:"id"`
	Note         string `json:"note"`
	NoteableType string `json:"noteable_type"` // Commit, Issue, MergeRequest, Snippet
	NoteableID   int64  `json:"noteable_id"`
	CommitID     string `json:"commit_id"`
	AuthorID     int64  `json:"author_id"`
	URL          string `json:"url"`
	System       bool   `json:"system"`
	Confidential bool   `json:"confidential"` // later GitLab versions
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
}

// Snippet is a snippet's hook attributes.
type Snippet struct {
	ID        int64  `json:"id"`
	Title     string `json:"title"`
	Content   string `json:"content"`
	FileName  string `json:"file_name"`
	Type      string `json:"type"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// NoteEvent is a comment or confidential comment. Exactly one of Commit,
// Issue, MergeRequest and Snippet is set, as NoteableType says.
type NoteEvent struct {
	ObjectKind       string                  `json:"object_kind"`
	EventType        string                  `json:"event_type"`
	User             User                    `json:"user"`
	ProjectID        int64                   `json:"project_id"`
	Project          Project                 `json:"project"`
	ObjectAttributes NoteAttributes          `json:"object_attributes"`
	Commit           *Commit                 `json:"commit"`
	Issue            *IssueAttributes        `json:"issue"`
	MergeRequest     *MergeRequestAttributes `json:"merge_request"`
	Snippet          *Snippet                `json:"snippet"`
}

// PipelineAttributes are a pipeline's hook attributes.
type PipelineAttributes struct {
	ID     int64  `json:"id"`
	Ref    string `json:"ref"` // short branch or tag name
	Tag    bool   `json:"tag"`
	SHA    string `json:"sha"`
	Before string `json:"before_sha"`
	Source string `json:"source"`
	// Status: success, failed, running, pending, canceled, skipped, ...
	Status         string   `json:"status"`
	DetailedStatus string   `json:"detailed_status"`
	Stages         []string `json:"stages"`
	CreatedAt      string   `json:"created_at"`
	FinishedAt     string   `json:"finished_at"`
	// Duration is in seconds; nil while the pipeline has none.
	Duration *float64 `json:"duration"`
}

// PipelineMergeRequest is the merge request of a merge request pipeline.
type PipelineMergeRequest struct {
	ID           int64  `json:"id"`
	IID          int64  `json:"iid"`
	Title        string `json:"title"`
	SourceBranch string `json:"source_branch"`
	TargetBranch string `json:"target_branch"`
	State        string `json:"state"`
	MergeStatus  string `json:"merge_status"`
	URL          string `json:"url"`
}

// Build is one job of a pipeline event.
type Build struct {
	ID           int64  `json:"id"`
	Stage        string `json:"stage"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	CreatedAt    string `json:"created_at"`
	StartedAt    string `json:"started_at"`
	FinishedAt   string `json:"finished_at"`
	When         string `json:"when"`
	Manual       bool   `json:"manual"`
	AllowFailure bool   `json:"allow_failure"`
	User         *User  `json:"user"`
}

// PipelineEvent is a pipeline status change.
type PipelineEvent struct {
	ObjectKind       string                `json:"object_kind"`
	ObjectAttributes PipelineAttributes    `json:"object_attributes"`
	MergeRequest     *PipelineMergeRequest `json:"merge_request"`
	// User is nil for pipelines nobody started (GitLab then names "API").
	User    *User   `json:"user"`
	Project Project `json:"project"`
	Commit  Commit  `json:"commit"`
	Builds  []Build `json:"builds"`
}

// JobCommit is the "commit" block of a job event. Its ID is the pipeline's
// id, not a SHA.
type JobCommit struct {
	ID          int64    `json:"id"`
	SHA         string   `json:"sha"`
	Message     string   `json:"message"`
	AuthorName  string   `json:"author_name"`
	AuthorEmail string   `json:"author_email"`
	Status      string   `json:"status"`
	Duration    *float64 `json:"duration"`
	StartedAt   string   `json:"started_at"`
	FinishedAt  string   `json:"finished_at"`
}

// JobEvent is a job ("build") status change.
type JobEvent struct {
	ObjectKind         string     `json:"object_kind"` // "build"
	Ref                string     `json:"ref"`
	Tag                bool       `json:"tag"`
	BeforeSHA          string     `json:"before_sha"`
	SHA                string     `json:"sha"`
	BuildID            int64      `json:"build_id"`
	BuildName          string     `json:"build_name"`
	BuildStage         string     `json:"build_stage"`
	BuildStatus        string     `json:"build_status"`
	BuildStartedAt     string     `json:"build_started_at"`
	BuildFinishedAt    string     `json:"build_finished_at"`
	BuildDuration      *float64   `json:"build_duration"`
	BuildAllowFailure  bool       `json:"build_allow_failure"`
	BuildFailureReason string     `json:"build_failure_reason"`
	PipelineID         int64      `json:"pipeline_id"`
	ProjectID          int64      `json:"project_id"`
	ProjectName        string     `json:"project_name"`
	User               User       `json:"user"`
	Commit             JobCommit  `json:"commit"`
	Repository         Repository `json:"repository"`
}

// Wiki is the wiki repository of a wiki page event.
type Wiki struct {
	WebURL            string `json:"web_url"`
	GitSSHURL         string `json:"git_ssh_url"`
	GitHTTPURL        string `json:"git_http_url"`
	PathWithNamespace string `json:"path_with_namespace"`
	DefaultBranch     string `json:"default_branch"`
}

// WikiPageAttributes are a wiki page's hook attributes.
type WikiPageAttributes struct {
	Title   string `json:"title"`
	Content string `json:"content"`
	Format  string `json:"format"`
	Message string `json:"message"` // the wiki commit message
	Slug    string `json:"slug"`
	URL     string `json:"url"`
	Action  string `json:"action"` // create, update (delete in later versions)
}

// WikiPageEvent is a wiki page change.
type WikiPageEvent struct {
	ObjectKind       string             `json:"object_kind"`
	User             User               `json:"user"`
	Project          Project            `json:"project"`
	Wiki             Wiki               `json:"wiki"`
	ObjectAttributes WikiPageAttributes `json:"object_attributes"`
}

// DeploymentEvent is a deployment status change.
type DeploymentEvent struct {
	ObjectKind    string  `json:"object_kind"`
	Status        string  `json:"status"` // running, success, failed, canceled
	DeployableID  int64   `json:"deployable_id"`
	DeployableURL string  `json:"deployable_url"`
	Environment   string  `json:"environment"`
	Project       Project `json:"project"`
	ShortSHA      string  `json:"short_sha"`
	User          User    `json:"user"`
	UserURL       string  `json:"user_url"`
	CommitURL     string  `json:"commit_url"`
	CommitTitle   string  `json:"commit_title"`
}
