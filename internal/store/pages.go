package store

import "context"

// Page is one page of a list, by offset, as GitLab's page/per_page give it.
type Page struct {
	Offset int
	Limit  int
}

// CountCap bounds the counting of a list: beyond it a list's total is not
// counted (GitLab leaves out X-Total and X-Total-Pages above 10,000 rows for
// the same reason), so that the cost of one page does not grow with the
// table. A list method returns at most CountCap+1 as its total; a total
// above CountCap means "more than CountCap".
const CountCap = 10000

// Lister pages the lists of the API in the database: the access checks are
// part of the query, and only one page of rows is read.
type Lister interface {
	// ListUsers pages users by id; username, if not empty, keeps the one
	// of that name (case-insensitive).
	ListUsers(ctx context.Context, username string, p Page) ([]User, int, error)
	// ListTokens pages the tokens of a user (0: everyone's) by id.
	ListTokens(ctx context.Context, userID int64, p Page) ([]Token, int, error)
	// ListMembers pages the direct members of a project or group by user id.
	ListMembers(ctx context.Context, source string, sourceID int64, p Page) ([]Member, int, error)
	// VisibleGroups pages the groups userID may see: not private, or a
	// member of it or of a group above it. userID 0 sees every group (an
	// admin).
	VisibleGroups(ctx context.Context, userID int64, p Page) ([]Namespace, int, error)
	// VisibleProjects pages the projects userID may see: public or
	// internal, or with any access level on it (auth.ProjectAccess's rule).
	// userID 0 sees every project (an admin).
	VisibleProjects(ctx context.Context, userID int64, p Page) ([]Project, int, error)
}
