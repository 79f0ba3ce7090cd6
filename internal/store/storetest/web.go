package storetest

import (
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

// testPasswords: UserByLogin by username or email with the hash; a new
// password hash ends the user's sessions.
func testPasswords(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	u := &store.User{Username: "Alice", Name: "A", Email: "Alice@Example.com", PasswordHash: "h1"}
	noErr(t, s.CreateUser(ctx, u), "CreateUser")
	for _, login := range []string{"alice", "ALICE", "alice@example.com"} {
		got, hash, err := s.UserByLogin(ctx, login)
		noErr(t, err, "UserByLogin "+login)
		if got.ID != u.ID || hash != "h1" || got.Username != "Alice" {
			t.Fatalf("UserByLogin(%q) = %+v %q", login, got, hash)
		}
	}
	_, _, err := s.UserByLogin(ctx, "bob")
	wantErr(t, err, store.ErrNotFound, "UserByLogin(unknown)")
	// A username that is another user's email address: the username wins.
	other := &store.User{Username: "alice@example.com", Name: "B", Email: "b@example.com"}
	noErr(t, s.CreateUser(ctx, other), "CreateUser other")
	if got, _, _ := s.UserByLogin(ctx, "alice@example.com"); got.ID != other.ID {
		t.Fatalf("login matching a username and an email found %+v", got)
	}

	now := time.Now().UTC()
	sess := &store.Session{IDHash: "s1", UserID: u.ID, CSRFToken: "c1", ExpiresAt: now.Add(time.Hour)}
	noErr(t, s.CreateSession(ctx, sess), "CreateSession")
	noErr(t, s.SetPasswordHash(ctx, u.ID, "h2"), "SetPasswordHash")
	if _, hash, _ := s.UserByLogin(ctx, "alice"); hash != "h2" {
		t.Fatalf("hash after SetPasswordHash: %q", hash)
	}
	_, _, err = s.SessionUser(ctx, "s1", now)
	wantErr(t, err, store.ErrNotFound, "session after a password change")
	wantErr(t, s.SetPasswordHash(ctx, u.ID+1000, "h"), store.ErrNotFound, "SetPasswordHash(unknown user)")
}

func testSessions(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	u := mkUser(t, s, "alice")
	now := time.Now().UTC()
	a := &store.Session{IDHash: "a", UserID: u.ID, CSRFToken: "csrf-a", ExpiresAt: now.Add(time.Hour)}
	b := &store.Session{IDHash: "b", UserID: u.ID, CSRFToken: "csrf-b", ExpiresAt: now.Add(time.Minute)}
	noErr(t, s.CreateSession(ctx, a), "CreateSession a")
	noErr(t, s.CreateSession(ctx, b), "CreateSession b")
	recent(t, "CreatedAt", a.CreatedAt)
	wantErr(t, s.CreateSession(ctx, &store.Session{IDHash: "a", UserID: u.ID, ExpiresAt: now}), store.ErrConflict, "CreateSession(same id)")

	got, gu, err := s.SessionUser(ctx, "a", now)
	noErr(t, err, "SessionUser")
	if got.CSRFToken != "csrf-a" || got.UserID != u.ID || gu.Username != "alice" || !got.ExpiresAt.Equal(a.ExpiresAt.Truncate(time.Microsecond)) {
		t.Fatalf("SessionUser: %+v %+v", got, gu)
	}
	// Expired at the time asked: not found.
	_, _, err = s.SessionUser(ctx, "b", now.Add(2*time.Minute))
	wantErr(t, err, store.ErrNotFound, "SessionUser(expired)")
	_, _, err = s.SessionUser(ctx, "nope", now)
	wantErr(t, err, store.ErrNotFound, "SessionUser(unknown)")

	n, err := s.PruneSessions(ctx, now.Add(2*time.Minute))
	noErr(t, err, "PruneSessions")
	if n != 1 {
		t.Fatalf("PruneSessions removed %d, want 1", n)
	}
	noErr(t, s.DeleteSession(ctx, "a"), "DeleteSession")
	_, _, err = s.SessionUser(ctx, "a", now)
	wantErr(t, err, store.ErrNotFound, "SessionUser(signed out)")
	noErr(t, s.DeleteSession(ctx, "a"), "DeleteSession twice")

	// Deleting the user ends its sessions.
	noErr(t, s.CreateSession(ctx, &store.Session{IDHash: "c", UserID: u.ID, CSRFToken: "x", ExpiresAt: now.Add(time.Hour)}), "CreateSession c")
	noErr(t, s.DeleteUser(ctx, u.ID), "DeleteUser")
	_, _, err = s.SessionUser(ctx, "c", now)
	wantErr(t, err, store.ErrNotFound, "SessionUser(deleted user)")
}

func testLoginFailures(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	now := time.Now().UTC()
	for i := range 3 {
		at := now.Add(time.Duration(i-2) * time.Minute) // -2m, -1m, now
		noErr(t, s.RecordLoginFailure(ctx, []string{"user:alice", "ip:127.0.0.1"}, at, now.Add(-time.Hour)), "RecordLoginFailure")
	}
	count := func(key string, since time.Time) int {
		n, err := s.LoginFailures(ctx, key, since)
		noErr(t, err, "LoginFailures")
		return n
	}
	if n := count("user:alice", now.Add(-time.Hour)); n != 3 {
		t.Fatalf("failures: %d, want 3", n)
	}
	if n := count("ip:127.0.0.1", now.Add(-90*time.Second)); n != 2 {
		t.Fatalf("failures in the last 90 s: %d, want 2", n)
	}
	// Old ones are forgotten when a new one comes.
	noErr(t, s.RecordLoginFailure(ctx, []string{"user:alice"}, now, now.Add(-30*time.Second)), "RecordLoginFailure")
	if n := count("user:alice", now.Add(-time.Hour)); n != 2 {
		t.Fatalf("after forgetting: %d, want 2", n)
	}
	noErr(t, s.ClearLoginFailures(ctx, "user:alice"), "ClearLoginFailures")
	if count("user:alice", now.Add(-time.Hour)) != 0 || count("ip:127.0.0.1", now.Add(-time.Hour)) != 3 {
		t.Fatal("ClearLoginFailures cleared the wrong key")
	}
}

// testDeliveryViews: the status filter, recent events and the histogram.
func testDeliveryViews(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	p := mkServiceProject(t, s)
	var ids []int64
	for i := range 5 {
		ev := &store.Event{ProjectID: p.ID, Kind: "push", Header: "Push Hook", Payload: []byte(`{"i":` + string(rune('0'+i)) + `}`)}
		ds, _, err := s.CreateEvent(ctx, ev, []string{"slack"})
		noErr(t, err, "CreateEvent")
		ids = append(ids, ds[0].ID)
	}
	for i, id := range ids[:3] {
		status := store.DeliveryDelivered
		if i == 1 {
			status = store.DeliveryFailed
		}
		noErr(t, s.RecordAttempt(ctx, store.Attempt{DeliveryID: id, Attempt: 1, StartedAt: time.Now()}, status, ""), "RecordAttempt")
	}
	page, total, err := s.DeliveryPage(ctx, p.ID, "slack", store.DeliveryDelivered, 0, 1)
	noErr(t, err, "DeliveryPage")
	if total != 2 || len(page) != 1 || page[0].ID != ids[2] || page[0].EventKind != "push" {
		t.Fatalf("delivered page 1: %d %+v", total, page)
	}
	page, total, _ = s.DeliveryPage(ctx, p.ID, "slack", store.DeliveryDelivered, 1, 1)
	if total != 2 || len(page) != 1 || page[0].ID != ids[0] {
		t.Fatalf("delivered page 2: %d %+v", total, page)
	}
	if _, total, _ = s.DeliveryPage(ctx, p.ID, "slack", "", 0, 10); total != 5 {
		t.Fatalf("all: %d", total)
	}
	if _, total, _ = s.DeliveryPage(ctx, p.ID, "slack", store.DeliveryPending, 0, 10); total != 2 {
		t.Fatalf("pending: %d", total)
	}
	if _, total, _ = s.DeliveryPage(ctx, p.ID, "asana", "", 0, 10); total != 0 {
		t.Fatalf("another service: %d", total)
	}

	evs, err := s.RecentEvents(ctx, p.ID, 3)
	noErr(t, err, "RecentEvents")
	if len(evs) != 3 || evs[0].ID <= evs[1].ID || evs[0].Kind != "push" || evs[0].Payload != nil {
		t.Fatalf("RecentEvents: %+v", evs)
	}

	since := time.Now().Add(-time.Hour)
	buckets, err := s.DeliveryHistogram(ctx, p.ID, since, time.Hour)
	noErr(t, err, "DeliveryHistogram")
	counts := map[string]int{}
	for _, b := range buckets {
		if b.Service != "slack" || b.Bucket != 0 {
			t.Fatalf("bucket %+v", b)
		}
		counts[b.Status] += b.Count
	}
	if counts[store.DeliveryDelivered] != 2 || counts[store.DeliveryFailed] != 1 || counts[store.DeliveryPending] != 2 {
		t.Fatalf("histogram %+v", buckets)
	}
	if buckets, _ := s.DeliveryHistogram(ctx, p.ID, time.Now().Add(time.Minute), time.Hour); len(buckets) != 0 {
		t.Fatalf("histogram of the future: %+v", buckets)
	}
}
