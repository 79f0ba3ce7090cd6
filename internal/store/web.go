package store

import (
	"context"
	"time"
)

// Session is a signed-in web session. Only a hash of the id the browser
// holds is kept, so that the table gives nobody a way in.
type Session struct {
	IDHash    string
	UserID    int64
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// DeliveryBucket counts a service's deliveries of one status created in one
// interval (Bucket = whole intervals since the start asked for).
type DeliveryBucket struct {
	Service string
	Status  string
	Bucket  int
	Count   int
}

// WebStore is what the web pages need beyond the API's records: passwords,
// sessions, the sign-in rate limit and the delivery log's views.
type WebStore interface {
	// SetPasswordHash stores a user's password hash and ends every session
	// of the user (a password change signs out everywhere).
	SetPasswordHash(ctx context.Context, userID int64, hash string) error
	// UserByLogin finds a user by username (any case) or email, with its
	// password hash ("" when none is set).
	UserByLogin(ctx context.Context, login string) (*User, string, error)

	CreateSession(ctx context.Context, s *Session) error
	// SessionUser returns a session that has not expired at now, with its
	// user; ErrNotFound otherwise.
	SessionUser(ctx context.Context, idHash string, now time.Time) (*Session, *User, error)
	DeleteSession(ctx context.Context, idHash string) error
	// PruneSessions deletes sessions expired before now.
	PruneSessions(ctx context.Context, now time.Time) (int, error)

	// RecordLoginFailure notes a failed sign-in under each key (account,
	// address) and forgets failures older than forgetBefore.
	RecordLoginFailure(ctx context.Context, keys []string, at, forgetBefore time.Time) error
	// LoginFailures counts the failures of key since a time.
	LoginFailures(ctx context.Context, key string, since time.Time) (int, error)
	ClearLoginFailures(ctx context.Context, key string) error

	// DeliveryPage is Deliveries filtered by status ("" for every status).
	DeliveryPage(ctx context.Context, projectID int64, service, status string, offset, limit int) ([]Delivery, int, error)
	// RecentEvents lists a project's latest events, newest first, without
	// their payloads.
	RecentEvents(ctx context.Context, projectID int64, limit int) ([]Event, error)
	// DeliveryHistogram counts a project's deliveries created since a time,
	// by service, status and interval.
	DeliveryHistogram(ctx context.Context, projectID int64, since time.Time, interval time.Duration) ([]DeliveryBucket, error)
}
