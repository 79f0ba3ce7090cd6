// Package store defines glint's persistence: the records it keeps and the
// Store interface. Implementations live below it (sqlstore, on SQLite or
// PostgreSQL); one conformance suite (storetest) runs against each.
//
// The store knows nothing of HTTP or of the service catalog: service
// properties are opaque JSON values and secrets are already sealed.
package store

import (
	"context"
	"errors"
	"time"
)

// Errors every implementation returns for the same situations.
var (
	ErrNotFound = errors.New("store: not found")
	// ErrConflict is a uniqueness violation (a username, path or slug taken).
	ErrConflict = errors.New("store: already exists")
	// ErrUnavailable wraps failures to reach the database at all.
	ErrUnavailable = errors.New("store: database unavailable")
)

// Access levels, as GitLab's.
const (
	NoAccess   = 0
	Guest      = 10
	Reporter   = 20
	Developer  = 30
	Maintainer = 40
	Owner      = 50
)

// User is an account.
type User struct {
	ID          int64
	Username    string
	Name        string
	Email       string
	Admin       bool
	NamespaceID int64 // the user's personal namespace
	CreatedAt   time.Time
	// PasswordHash is written by CreateUser only; reads leave it empty
	// (UserByLogin returns the hash apart).
	PasswordHash string
}

// Token is a personal access token; only the hash of its secret is kept.
type Token struct {
	ID         int64
	UserID     int64
	Name       string
	Hash       string // hex SHA-256 of the token text
	Scopes     []string
	ExpiresAt  *time.Time
	Revoked    bool
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// Namespace is a user's personal namespace or a group.
type Namespace struct {
	ID          int64
	Name        string
	Path        string
	FullPath    string
	Kind        string // "user" or "group"
	ParentID    *int64
	OwnerID     *int64 // for kind "user"
	Description string
	Visibility  string
	CreatedAt   time.Time
}

// Project is a GitLab project, the owner of services.
type Project struct {
	ID              int64
	Name            string
	Path            string
	Description     string
	Visibility      string // private, internal, public
	DefaultBranch   string
	NamespaceID     int64
	Namespace       Namespace // filled on reads
	CreatorID       int64
	IntakeTokenHash string
	CreatedAt       time.Time
	LastActivityAt  time.Time
}

// FullPath is namespace/.../project.
func (p *Project) FullPath() string { return p.Namespace.FullPath + "/" + p.Path }

// Member is a user's access to a project or a group.
type Member struct {
	UserID      int64
	AccessLevel int
	ExpiresAt   *time.Time
	CreatedAt   time.Time
	User        User // filled on reads
}

// Service is one project's configuration of one kind of service.
type Service struct {
	ID        int64
	ProjectID int64
	Slug      string
	Active    bool
	// Flags holds event flags by name ("push_events", ...) and
	// comment_on_event_enabled.
	Flags map[string]bool
	// Properties holds the non-secret settings as JSON values.
	Properties map[string]any
	// Sealed holds secret settings, each sealed by package secret.
	Sealed    map[string]string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Store is everything glint keeps. Implementations must be safe for
// concurrent use, and each method is atomic.
type Store interface {
	Ping(ctx context.Context) error
	Close() error

	CreateUser(ctx context.Context, u *User) error // creates the personal namespace too
	User(ctx context.Context, id int64) (*User, error)
	UserByUsername(ctx context.Context, username string) (*User, error)
	Users(ctx context.Context) ([]User, error)
	DeleteUser(ctx context.Context, id int64) error
	CountUsers(ctx context.Context) (int, error)

	CreateToken(ctx context.Context, t *Token) error
	TokenByHash(ctx context.Context, hash string) (*Token, error)
	// TokenUser finds a token and its owner in one round trip, for the
	// authentication of every request.
	TokenUser(ctx context.Context, hash string) (*Token, *User, error)
	Tokens(ctx context.Context, userID int64) ([]Token, error) // userID 0: all
	Token(ctx context.Context, id int64) (*Token, error)
	RevokeToken(ctx context.Context, id int64) error
	TouchToken(ctx context.Context, id int64, at time.Time) error

	CreateGroup(ctx context.Context, g *Namespace) error
	Namespace(ctx context.Context, id int64) (*Namespace, error)
	NamespaceByFullPath(ctx context.Context, fullPath string) (*Namespace, error)
	Groups(ctx context.Context) ([]Namespace, error)

	CreateProject(ctx context.Context, p *Project) error
	Project(ctx context.Context, id int64) (*Project, error)
	ProjectByFullPath(ctx context.Context, fullPath string) (*Project, error)
	Projects(ctx context.Context) ([]Project, error)
	DeleteProject(ctx context.Context, id int64) error
	SetIntakeTokenHash(ctx context.Context, projectID int64, hash string) error

	// SetMember adds or changes a member of a project ("project") or a
	// group ("namespace").
	SetMember(ctx context.Context, source string, sourceID int64, m Member) error
	Members(ctx context.Context, source string, sourceID int64) ([]Member, error)
	Member(ctx context.Context, source string, sourceID, userID int64) (*Member, error)
	RemoveMember(ctx context.Context, source string, sourceID, userID int64) error
	// AccessLevel is the user's highest level on the project: direct
	// membership, membership of any ancestor group, or ownership of the
	// personal namespace (Owner).
	AccessLevel(ctx context.Context, userID, projectID int64) (int, error)
	// ProjectWithAccess is Project (id > 0) or ProjectByFullPath (id 0)
	// together with AccessLevel(userID, the project's id), read in one
	// round trip: what every project-scoped request of a non-admin needs.
	// userID 0 is no user (level NoAccess). ErrNotFound if there is no
	// such project.
	ProjectWithAccess(ctx context.Context, id int64, fullPath string, userID int64) (*Project, int, error)

	// Service returns the stored service or ErrNotFound.
	Service(ctx context.Context, projectID int64, slug string) (*Service, error)
	Services(ctx context.Context, projectID int64) ([]Service, error)
	// UpdateService runs fn on the stored service (or on a zero Service with
	// ID 0 if none is stored) and saves what fn leaves, all in one
	// transaction that serialises concurrent updates of the same row. If fn
	// returns an error nothing is written.
	UpdateService(ctx context.Context, projectID int64, slug string, fn func(*Service) error) (*Service, error)
	// AllServices walks every stored service, for key rotation and export.
	AllServices(ctx context.Context, fn func(*Service) error) error
	// ReplaceSealed rewrites sealed values of one service (key rotation).
	ReplaceSealed(ctx context.Context, id int64, sealed map[string]string) error

	DeliveryStore
	GitLabSourceStore
	CacheStore
	WebStore
	Lister

	Setting(ctx context.Context, key string) (string, error)
	// SetSettingIfAbsent stores value unless the key exists; it returns the
	// value stored afterwards.
	SetSettingIfAbsent(ctx context.Context, key, value string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

// Source kinds of members.
const (
	ProjectSource   = "project"
	NamespaceSource = "namespace"
)

// Row is one row of a table, as Dump gives it and Load takes it: the
// engine-neutral form of an export.
type Row struct {
	Table  string         `json:"table"`
	Values map[string]any `json:"values"`
}

// Dumper moves a whole instance between databases.
type Dumper interface {
	// Dump walks every row, tables in the order Load needs them.
	Dump(ctx context.Context, fn func(Row) error) error
	// Load inserts rows into an empty database, all or nothing, and
	// returns how many it loaded. next returns nil at the end.
	Load(ctx context.Context, next func() (*Row, error)) (int, error)
}
