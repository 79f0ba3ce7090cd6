// Package storetest is the conformance suite every store.Store
// implementation must pass. An implementation's test calls Run with a
// function that opens a fresh, migrated, empty store.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

// Run runs the suite. Each subtest calls open for a store of its own, which
// must be migrated and empty; open should register the store's Close (and
// any other teardown) with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"PingClose", testPingClose},
		{"Users", testUsers},
		{"UserConflict", testUserConflict},
		{"DeleteUser", testDeleteUser},
		{"Tokens", testTokens},
		{"TokenLists", testTokenLists},
		{"Groups", testGroups},
		{"GroupConflicts", testGroupConflicts},
		{"Projects", testProjects},
		{"ProjectPaths", testProjectPaths},
		{"ProjectConflicts", testProjectConflicts},
		{"DeleteProject", testDeleteProject},
		{"IntakeTokenHash", testIntakeTokenHash},
		{"Members", testMembers},
		{"AccessLevel", testAccessLevel},
		{"ServiceNotFound", testServiceNotFound},
		{"UpdateServiceCreate", testUpdateServiceCreate},
		{"UpdateServiceUpdate", testUpdateServiceUpdate},
		{"UpdateServiceError", testUpdateServiceError},
		{"ServiceEmptyMaps", testServiceEmptyMaps},
		{"Services", testServices},
		{"AllServices", testAllServices},
		{"ReplaceSealed", testReplaceSealed},
		{"Settings", testSettings},
		{"UnknownIDs", testUnknownIDs},
		{"ConcurrentUpdateService", testConcurrentUpdateService},
		{"Deliveries", testDeliveries},
		{"DeliveryDuplicates", testDeliveryDuplicates},
		{"DeliveryWork", testDeliveryWork},
		{"ConcurrentAttempts", testConcurrentAttempts},
		{"ConcurrentEvents", testConcurrentEvents},
		{"GitLabSources", testGitLabSources},
		{"Cache", testCache},
		{"Passwords", testPasswords},
		{"Sessions", testSessions},
		{"LoginFailures", testLoginFailures},
		{"DeliveryViews", testDeliveryViews},
		{"Lists", testLists},
		{"ListCountCap", testListCountCap},
		{"DeliveryCountCap", testDeliveryCountCap},
		{"DumpSnapshot", testDumpSnapshot},
		{"Targets", testTargets},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			if s == nil {
				t.Fatal("open returned a nil store")
			}
			tc.fn(t, s)
		})
	}
}

// ---- helpers ----

func ctxOf(t *testing.T) context.Context { return t.Context() }

func wantErr(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

func noErr(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func mkUser(t *testing.T, s store.Store, username string) *store.User {
	t.Helper()
	u := &store.User{Username: username, Name: "Name of " + username, Email: username + "@example.com"}
	noErr(t, s.CreateUser(ctxOf(t), u), "CreateUser "+username)
	return u
}

func mkGroup(t *testing.T, s store.Store, path string, parent *store.Namespace) *store.Namespace {
	t.Helper()
	g := &store.Namespace{Name: "Group " + path, Path: path}
	if parent != nil {
		id := parent.ID
		g.ParentID = &id
	}
	noErr(t, s.CreateGroup(ctxOf(t), g), "CreateGroup "+path)
	return g
}

func mkProject(t *testing.T, s store.Store, ns int64, path string, creator int64) *store.Project {
	t.Helper()
	p := &store.Project{Name: "Project " + path, Path: path, NamespaceID: ns, CreatorID: creator}
	noErr(t, s.CreateProject(ctxOf(t), p), "CreateProject "+path)
	return p
}

// recent checks a store-set timestamp is the current time, give or take.
func recent(t *testing.T, what string, ts time.Time) {
	t.Helper()
	if ts.IsZero() {
		t.Fatalf("%s: zero time", what)
	}
	if d := time.Since(ts); d < -time.Minute || d > time.Minute {
		t.Fatalf("%s = %v, not near now (%v)", what, ts, time.Now())
	}
}

func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func sameOptTime(t *testing.T, what string, got, want *time.Time) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Fatalf("%s = %v, want %v", what, got, want)
	default:
		sameTime(t, what, *got, *want)
	}
}

func deepEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %#v\n want %#v", what, got, want)
	}
}

func ptr[T any](v T) *T { return &v }

// ---- users ----

func testPingClose(t *testing.T, s store.Store) {
	noErr(t, s.Ping(ctxOf(t)), "Ping")
	noErr(t, s.Close(), "Close")
	if err := s.Ping(ctxOf(t)); err == nil {
		t.Fatal("Ping after Close: no error")
	}
}

func testUsers(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	n, err := s.CountUsers(ctx)
	noErr(t, err, "CountUsers")
	if n != 0 {
		t.Fatalf("CountUsers on an empty store = %d", n)
	}
	users, err := s.Users(ctx)
	noErr(t, err, "Users")
	if len(users) != 0 {
		t.Fatalf("Users on an empty store = %v", users)
	}

	alice := &store.User{Username: "Alice", Name: "Alice Liddell", Email: "alice@example.com", Admin: true}
	noErr(t, s.CreateUser(ctx, alice), "CreateUser")
	if alice.ID == 0 || alice.NamespaceID == 0 {
		t.Fatalf("CreateUser left ID %d, NamespaceID %d", alice.ID, alice.NamespaceID)
	}
	recent(t, "CreatedAt", alice.CreatedAt)
	bob := mkUser(t, s, "bob")
	if bob.ID == alice.ID || bob.NamespaceID == alice.NamespaceID {
		t.Fatalf("two users share ids: %+v %+v", alice, bob)
	}

	got, err := s.User(ctx, alice.ID)
	noErr(t, err, "User")
	if got.ID != alice.ID || got.Username != "Alice" || got.Name != "Alice Liddell" || got.Email != "alice@example.com" ||
		!got.Admin || got.NamespaceID != alice.NamespaceID {
		t.Fatalf("User = %+v, want %+v", got, alice)
	}
	sameTime(t, "User.CreatedAt", got.CreatedAt, alice.CreatedAt)
	if got, err := s.User(ctx, bob.ID); err != nil || got.Admin || got.Username != "bob" {
		t.Fatalf("User(bob) = %+v, %v", got, err)
	}

	// The personal namespace.
	ns, err := s.Namespace(ctx, alice.NamespaceID)
	noErr(t, err, "Namespace")
	if ns.Kind != "user" || ns.FullPath != "Alice" || ns.Path != "Alice" || ns.ParentID != nil ||
		ns.OwnerID == nil || *ns.OwnerID != alice.ID {
		t.Fatalf("personal namespace = %+v", ns)
	}
	if ns2, err := s.NamespaceByFullPath(ctx, "alice"); err != nil || ns2.ID != ns.ID {
		t.Fatalf("NamespaceByFullPath(alice) = %+v, %v", ns2, err)
	}
	groups, err := s.Groups(ctx)
	noErr(t, err, "Groups")
	if len(groups) != 0 {
		t.Fatalf("Groups lists personal namespaces: %+v", groups)
	}

	for _, name := range []string{"Alice", "alice", "ALICE", "aLiCe"} {
		u, err := s.UserByUsername(ctx, name)
		noErr(t, err, "UserByUsername "+name)
		if u.ID != alice.ID || u.Username != "Alice" {
			t.Fatalf("UserByUsername(%q) = %+v", name, u)
		}
	}
	_, err = s.UserByUsername(ctx, "carol")
	wantErr(t, err, store.ErrNotFound, "UserByUsername(unknown)")
	_, err = s.UserByUsername(ctx, "")
	wantErr(t, err, store.ErrNotFound, "UserByUsername(\"\")")
	_, err = s.User(ctx, bob.ID+1000)
	wantErr(t, err, store.ErrNotFound, "User(unknown)")

	users, err = s.Users(ctx)
	noErr(t, err, "Users")
	if len(users) != 2 || users[0].ID != alice.ID || users[1].ID != bob.ID {
		t.Fatalf("Users = %+v", users)
	}
	if users[0].Username != "Alice" || !users[0].Admin || users[0].NamespaceID != alice.NamespaceID {
		t.Fatalf("Users[0] = %+v", users[0])
	}
	n, err = s.CountUsers(ctx)
	noErr(t, err, "CountUsers")
	if n != 2 {
		t.Fatalf("CountUsers = %d, want 2", n)
	}
}

func testUserConflict(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	alice := mkUser(t, s, "alice")
	for _, name := range []string{"alice", "ALICE"} {
		err := s.CreateUser(ctx, &store.User{Username: name, Name: "dup", Email: "dup@example.com"})
		wantErr(t, err, store.ErrConflict, "CreateUser duplicate "+name)
	}
	// A group holding the name also blocks the user's personal namespace.
	mkGroup(t, s, "team", nil)
	err := s.CreateUser(ctx, &store.User{Username: "Team", Name: "t", Email: "t@example.com"})
	wantErr(t, err, store.ErrConflict, "CreateUser whose namespace path is a group's")

	// The failures left nothing behind.
	n, err := s.CountUsers(ctx)
	noErr(t, err, "CountUsers")
	if n != 1 {
		t.Fatalf("CountUsers after conflicts = %d, want 1", n)
	}
	u, err := s.UserByUsername(ctx, "alice")
	noErr(t, err, "UserByUsername")
	if u.ID != alice.ID || u.Name != alice.Name {
		t.Fatalf("conflict changed the user: %+v", u)
	}
	if _, err := s.UserByUsername(ctx, "team"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("failed CreateUser left a user: %v", err)
	}
	// A new name still works.
	mkUser(t, s, "bob")
}

func testDeleteUser(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	alice := mkUser(t, s, "alice")
	bob := mkUser(t, s, "bob")
	tok := &store.Token{UserID: alice.ID, Name: "t", Hash: "hash-alice", Scopes: []string{"api"}}
	noErr(t, s.CreateToken(ctx, tok), "CreateToken")
	bobTok := &store.Token{UserID: bob.ID, Name: "t", Hash: "hash-bob", Scopes: []string{"api"}}
	noErr(t, s.CreateToken(ctx, bobTok), "CreateToken")
	own := mkProject(t, s, alice.NamespaceID, "own", alice.ID)
	g := mkGroup(t, s, "g", nil)
	gp := mkProject(t, s, g.ID, "gp", bob.ID)
	noErr(t, s.SetMember(ctx, store.NamespaceSource, g.ID, store.Member{UserID: alice.ID, AccessLevel: store.Developer}), "SetMember")
	noErr(t, s.SetMember(ctx, store.ProjectSource, gp.ID, store.Member{UserID: alice.ID, AccessLevel: store.Maintainer}), "SetMember")
	noErr(t, s.SetMember(ctx, store.ProjectSource, gp.ID, store.Member{UserID: bob.ID, AccessLevel: store.Owner}), "SetMember")

	noErr(t, s.DeleteUser(ctx, alice.ID), "DeleteUser")

	_, err := s.User(ctx, alice.ID)
	wantErr(t, err, store.ErrNotFound, "User after DeleteUser")
	_, err = s.UserByUsername(ctx, "alice")
	wantErr(t, err, store.ErrNotFound, "UserByUsername after DeleteUser")
	_, err = s.Namespace(ctx, alice.NamespaceID)
	wantErr(t, err, store.ErrNotFound, "personal namespace after DeleteUser")
	_, err = s.NamespaceByFullPath(ctx, "alice")
	wantErr(t, err, store.ErrNotFound, "NamespaceByFullPath after DeleteUser")
	_, err = s.TokenByHash(ctx, "hash-alice")
	wantErr(t, err, store.ErrNotFound, "token after DeleteUser")
	_, err = s.Project(ctx, own.ID)
	wantErr(t, err, store.ErrNotFound, "personal project after DeleteUser")
	_, err = s.Member(ctx, store.NamespaceSource, g.ID, alice.ID)
	wantErr(t, err, store.ErrNotFound, "group membership after DeleteUser")
	_, err = s.Member(ctx, store.ProjectSource, gp.ID, alice.ID)
	wantErr(t, err, store.ErrNotFound, "project membership after DeleteUser")
	if lvl, err := s.AccessLevel(ctx, alice.ID, gp.ID); err != nil || lvl != store.NoAccess {
		t.Fatalf("AccessLevel after DeleteUser = %d, %v", lvl, err)
	}

	// Bob and the group are untouched.
	if _, err := s.User(ctx, bob.ID); err != nil {
		t.Fatalf("User(bob): %v", err)
	}
	if _, err := s.TokenByHash(ctx, "hash-bob"); err != nil {
		t.Fatalf("bob's token: %v", err)
	}
	if _, err := s.Project(ctx, gp.ID); err != nil {
		t.Fatalf("group project: %v", err)
	}
	if m, err := s.Member(ctx, store.ProjectSource, gp.ID, bob.ID); err != nil || m.AccessLevel != store.Owner {
		t.Fatalf("bob's membership = %+v, %v", m, err)
	}
	n, err := s.CountUsers(ctx)
	noErr(t, err, "CountUsers")
	if n != 1 {
		t.Fatalf("CountUsers = %d, want 1", n)
	}
	toks, err := s.Tokens(ctx, 0)
	noErr(t, err, "Tokens")
	if len(toks) != 1 || toks[0].ID != bobTok.ID {
		t.Fatalf("Tokens after DeleteUser = %+v", toks)
	}

	wantErr(t, s.DeleteUser(ctx, alice.ID), store.ErrNotFound, "DeleteUser twice")
	wantErr(t, s.DeleteUser(ctx, bob.ID+1000), store.ErrNotFound, "DeleteUser(unknown)")

	// The name is free again.
	again := mkUser(t, s, "alice")
	if again.ID == alice.ID {
		t.Fatalf("recreated user reuses id %d", again.ID)
	}
}

// ---- tokens ----

func testTokens(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	u := mkUser(t, s, "alice")
	// Nanoseconds are dropped: the store keeps microseconds.
	expires := time.Date(2031, 3, 4, 5, 6, 7, 123456789, time.FixedZone("X", 5*3600))
	tok := &store.Token{UserID: u.ID, Name: "ci", Hash: "aaaa", Scopes: []string{"api", "read_api", "write_repository"}, ExpiresAt: &expires}
	noErr(t, s.CreateToken(ctx, tok), "CreateToken")
	if tok.ID == 0 {
		t.Fatal("CreateToken left ID 0")
	}
	recent(t, "CreatedAt", tok.CreatedAt)

	check := func(what string, got *store.Token) {
		t.Helper()
		if got.ID != tok.ID || got.UserID != u.ID || got.Name != "ci" || got.Hash != "aaaa" {
			t.Fatalf("%s = %+v", what, got)
		}
		deepEqual(t, what+" scopes", got.Scopes, []string{"api", "read_api", "write_repository"})
		sameOptTime(t, what+" ExpiresAt", got.ExpiresAt, ptr(expires.Truncate(time.Microsecond)))
		if got.ExpiresAt.Nanosecond() != 123456000 {
			t.Fatalf("%s ExpiresAt lost microseconds: %v", what, got.ExpiresAt)
		}
		sameTime(t, what+" CreatedAt", got.CreatedAt, tok.CreatedAt)
	}
	got, err := s.TokenByHash(ctx, "aaaa")
	noErr(t, err, "TokenByHash")
	check("TokenByHash", got)
	if got.Revoked || got.LastUsedAt != nil {
		t.Fatalf("new token revoked %v, last used %v", got.Revoked, got.LastUsedAt)
	}
	got, err = s.Token(ctx, tok.ID)
	noErr(t, err, "Token")
	check("Token", got)

	_, err = s.TokenByHash(ctx, "bbbb")
	wantErr(t, err, store.ErrNotFound, "TokenByHash(unknown)")
	tu, owner, err := s.TokenUser(ctx, "aaaa")
	noErr(t, err, "TokenUser")
	check("TokenUser", tu)
	if owner.ID != tu.UserID || owner.Username == "" || owner.NamespaceID == 0 {
		t.Fatalf("TokenUser owner: %+v", owner)
	}
	_, _, err = s.TokenUser(ctx, "bbbb")
	wantErr(t, err, store.ErrNotFound, "TokenUser(unknown)")
	_, err = s.Token(ctx, tok.ID+1000)
	wantErr(t, err, store.ErrNotFound, "Token(unknown)")

	// No expiry, one scope.
	plain := &store.Token{UserID: u.ID, Name: "plain", Hash: "cccc", Scopes: []string{"read_api"}}
	noErr(t, s.CreateToken(ctx, plain), "CreateToken")
	got, err = s.Token(ctx, plain.ID)
	noErr(t, err, "Token")
	if got.ExpiresAt != nil {
		t.Fatalf("ExpiresAt = %v, want nil", got.ExpiresAt)
	}
	deepEqual(t, "scopes", got.Scopes, []string{"read_api"})

	// Hashes are unique.
	err = s.CreateToken(ctx, &store.Token{UserID: u.ID, Name: "dup", Hash: "aaaa", Scopes: []string{"api"}})
	wantErr(t, err, store.ErrConflict, "CreateToken duplicate hash")

	// Touch.
	at := time.Date(2030, 1, 1, 12, 0, 0, 987654321, time.UTC)
	noErr(t, s.TouchToken(ctx, tok.ID, at), "TouchToken")
	got, err = s.Token(ctx, tok.ID)
	noErr(t, err, "Token")
	sameOptTime(t, "LastUsedAt", got.LastUsedAt, ptr(at.Truncate(time.Microsecond)))
	later := at.Add(time.Hour)
	noErr(t, s.TouchToken(ctx, tok.ID, later), "TouchToken again")
	got, err = s.TokenByHash(ctx, "aaaa")
	noErr(t, err, "TokenByHash")
	sameOptTime(t, "LastUsedAt", got.LastUsedAt, ptr(later.Truncate(time.Microsecond)))
	if other, _ := s.Token(ctx, plain.ID); other == nil || other.LastUsedAt != nil {
		t.Fatalf("TouchToken touched another token: %+v", other)
	}

	// Revoke.
	noErr(t, s.RevokeToken(ctx, tok.ID), "RevokeToken")
	got, err = s.TokenByHash(ctx, "aaaa")
	noErr(t, err, "TokenByHash")
	if !got.Revoked {
		t.Fatal("token not revoked")
	}
	check("revoked token", got)
	if other, _ := s.Token(ctx, plain.ID); other == nil || other.Revoked {
		t.Fatalf("RevokeToken revoked another token: %+v", other)
	}
	wantErr(t, s.RevokeToken(ctx, plain.ID+1000), store.ErrNotFound, "RevokeToken(unknown)")
}

func testTokenLists(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	alice := mkUser(t, s, "alice")
	bob := mkUser(t, s, "bob")
	carol := mkUser(t, s, "carol")
	all, err := s.Tokens(ctx, 0)
	noErr(t, err, "Tokens(0)")
	if len(all) != 0 {
		t.Fatalf("Tokens on an empty store = %+v", all)
	}
	var ids []int64
	for i, owner := range []int64{alice.ID, bob.ID, alice.ID} {
		tok := &store.Token{UserID: owner, Name: fmt.Sprint("t", i), Hash: fmt.Sprint("hash", i), Scopes: []string{"api"}}
		noErr(t, s.CreateToken(ctx, tok), "CreateToken")
		ids = append(ids, tok.ID)
	}
	idsOf := func(ts []store.Token) []int64 {
		out := []int64{}
		for _, tk := range ts {
			out = append(out, tk.ID)
		}
		slices.Sort(out)
		return out
	}
	got, err := s.Tokens(ctx, alice.ID)
	noErr(t, err, "Tokens(alice)")
	deepEqual(t, "Tokens(alice)", idsOf(got), []int64{ids[0], ids[2]})
	for _, tk := range got {
		if tk.UserID != alice.ID || len(tk.Scopes) != 1 {
			t.Fatalf("Tokens(alice) has %+v", tk)
		}
	}
	got, err = s.Tokens(ctx, bob.ID)
	noErr(t, err, "Tokens(bob)")
	deepEqual(t, "Tokens(bob)", idsOf(got), []int64{ids[1]})
	got, err = s.Tokens(ctx, carol.ID)
	noErr(t, err, "Tokens(carol)")
	if len(got) != 0 {
		t.Fatalf("Tokens(carol) = %+v", got)
	}
	got, err = s.Tokens(ctx, 0)
	noErr(t, err, "Tokens(0)")
	deepEqual(t, "Tokens(0)", idsOf(got), ids)
}

// ---- groups ----

func testGroups(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	a := &store.Namespace{Name: "Group A", Path: "a", Description: "top", Visibility: "public"}
	noErr(t, s.CreateGroup(ctx, a), "CreateGroup a")
	if a.ID == 0 || a.Kind != "group" || a.FullPath != "a" || a.ParentID != nil {
		t.Fatalf("CreateGroup a left %+v", a)
	}
	recent(t, "CreatedAt", a.CreatedAt)
	b := mkGroup(t, s, "b", a)
	if b.FullPath != "a/b" {
		t.Fatalf("child FullPath = %q, want a/b", b.FullPath)
	}
	c := mkGroup(t, s, "C", b)
	if c.FullPath != "a/b/C" {
		t.Fatalf("grandchild FullPath = %q, want a/b/C", c.FullPath)
	}

	got, err := s.Namespace(ctx, a.ID)
	noErr(t, err, "Namespace(a)")
	if got.Name != "Group A" || got.Path != "a" || got.FullPath != "a" || got.Kind != "group" || got.ParentID != nil ||
		got.OwnerID != nil || got.Description != "top" || got.Visibility != "public" {
		t.Fatalf("Namespace(a) = %+v", got)
	}
	sameTime(t, "CreatedAt", got.CreatedAt, a.CreatedAt)
	got, err = s.Namespace(ctx, b.ID)
	noErr(t, err, "Namespace(b)")
	if got.FullPath != "a/b" || got.Path != "b" || got.ParentID == nil || *got.ParentID != a.ID || got.Visibility != "private" {
		t.Fatalf("Namespace(b) = %+v", got)
	}
	_, err = s.Namespace(ctx, c.ID+1000)
	wantErr(t, err, store.ErrNotFound, "Namespace(unknown)")

	for path, want := range map[string]int64{"a": a.ID, "A": a.ID, "a/b": b.ID, "A/B": b.ID, "a/b/c": c.ID, "A/b/C": c.ID} {
		got, err := s.NamespaceByFullPath(ctx, path)
		noErr(t, err, "NamespaceByFullPath "+path)
		if got.ID != want {
			t.Fatalf("NamespaceByFullPath(%q) = %d, want %d", path, got.ID, want)
		}
	}
	if got, _ := s.NamespaceByFullPath(ctx, "a/b/c"); got == nil || got.FullPath != "a/b/C" {
		t.Fatalf("NamespaceByFullPath keeps the stored case: %+v", got)
	}
	for _, path := range []string{"", "b", "c", "a/c", "a/b/c/d", "x"} {
		_, err := s.NamespaceByFullPath(ctx, path)
		wantErr(t, err, store.ErrNotFound, "NamespaceByFullPath "+path)
	}

	// The same path below another parent is a different group.
	b2 := mkGroup(t, s, "b", nil)
	if b2.FullPath != "b" || b2.ID == b.ID {
		t.Fatalf("top-level b = %+v", b2)
	}

	// A user's namespace is not a group.
	mkUser(t, s, "alice")
	groups, err := s.Groups(ctx)
	noErr(t, err, "Groups")
	var paths []string
	for _, g := range groups {
		if g.Kind != "group" {
			t.Fatalf("Groups lists %+v", g)
		}
		paths = append(paths, g.FullPath)
	}
	deepEqual(t, "Groups", paths, []string{"a", "a/b", "a/b/C", "b"})
}

func testGroupConflicts(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	a := mkGroup(t, s, "a", nil)
	mkGroup(t, s, "b", a)
	err := s.CreateGroup(ctx, &store.Namespace{Name: "dup", Path: "A"})
	wantErr(t, err, store.ErrConflict, "CreateGroup duplicate top-level path")
	err = s.CreateGroup(ctx, &store.Namespace{Name: "dup", Path: "B", ParentID: &a.ID})
	wantErr(t, err, store.ErrConflict, "CreateGroup duplicate nested path")
	mkUser(t, s, "alice")
	err = s.CreateGroup(ctx, &store.Namespace{Name: "dup", Path: "alice"})
	wantErr(t, err, store.ErrConflict, "CreateGroup on a username")
	missing := a.ID + 1000
	err = s.CreateGroup(ctx, &store.Namespace{Name: "orphan", Path: "orphan", ParentID: &missing})
	wantErr(t, err, store.ErrNotFound, "CreateGroup below a missing parent")

	alice, err := s.UserByUsername(ctx, "alice")
	noErr(t, err, "UserByUsername")
	err = s.CreateGroup(ctx, &store.Namespace{Name: "sub", Path: "sub", ParentID: &alice.NamespaceID})
	wantErr(t, err, store.ErrNotFound, "CreateGroup below a user's namespace")

	groups, err := s.Groups(ctx)
	noErr(t, err, "Groups")
	if len(groups) != 2 {
		t.Fatalf("failed CreateGroup left groups behind: %+v", groups)
	}
}

// ---- projects ----

func testProjects(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	alice := mkUser(t, s, "alice")
	a := mkGroup(t, s, "a", nil)
	b := mkGroup(t, s, "b", a)

	p1 := &store.Project{Name: "Proj", Path: "proj", Description: "desc", NamespaceID: alice.NamespaceID, CreatorID: alice.ID}
	noErr(t, s.CreateProject(ctx, p1), "CreateProject in user namespace")
	if p1.ID == 0 || p1.Visibility != "private" || p1.DefaultBranch != "master" {
		t.Fatalf("CreateProject left %+v", p1)
	}
	if p1.Namespace.ID != alice.NamespaceID || p1.Namespace.FullPath != "alice" || p1.FullPath() != "alice/proj" {
		t.Fatalf("CreateProject namespace = %+v", p1.Namespace)
	}
	recent(t, "CreatedAt", p1.CreatedAt)
	recent(t, "LastActivityAt", p1.LastActivityAt)

	p2 := &store.Project{Name: "Proj", Path: "proj", NamespaceID: b.ID, CreatorID: alice.ID, Visibility: "internal", DefaultBranch: "main"}
	noErr(t, s.CreateProject(ctx, p2), "CreateProject in nested group (same path)")
	if p2.ID == p1.ID || p2.FullPath() != "a/b/proj" || p2.Visibility != "internal" || p2.DefaultBranch != "main" {
		t.Fatalf("CreateProject left %+v", p2)
	}

	got, err := s.Project(ctx, p1.ID)
	noErr(t, err, "Project")
	if got.ID != p1.ID || got.Name != "Proj" || got.Path != "proj" || got.Description != "desc" || got.Visibility != "private" ||
		got.DefaultBranch != "master" || got.NamespaceID != alice.NamespaceID || got.CreatorID != alice.ID || got.IntakeTokenHash != "" {
		t.Fatalf("Project = %+v", got)
	}
	if got.Namespace.ID != alice.NamespaceID || got.Namespace.Kind != "user" || got.Namespace.FullPath != "alice" ||
		got.Namespace.OwnerID == nil || *got.Namespace.OwnerID != alice.ID {
		t.Fatalf("Project.Namespace = %+v", got.Namespace)
	}
	sameTime(t, "CreatedAt", got.CreatedAt, p1.CreatedAt)
	sameTime(t, "LastActivityAt", got.LastActivityAt, p1.LastActivityAt)

	got, err = s.Project(ctx, p2.ID)
	noErr(t, err, "Project")
	if got.FullPath() != "a/b/proj" || got.Namespace.Kind != "group" || got.Namespace.ParentID == nil || *got.Namespace.ParentID != a.ID {
		t.Fatalf("Project(p2) = %+v", got)
	}
	_, err = s.Project(ctx, p2.ID+1000)
	wantErr(t, err, store.ErrNotFound, "Project(unknown)")

	all, err := s.Projects(ctx)
	noErr(t, err, "Projects")
	if len(all) != 2 || all[0].ID != p1.ID || all[1].ID != p2.ID {
		t.Fatalf("Projects = %+v", all)
	}
	if all[0].FullPath() != "alice/proj" || all[1].FullPath() != "a/b/proj" {
		t.Fatalf("Projects paths = %q, %q", all[0].FullPath(), all[1].FullPath())
	}

	// A project in a missing namespace is refused.
	err = s.CreateProject(ctx, &store.Project{Name: "x", Path: "x", NamespaceID: b.ID + 1000, CreatorID: alice.ID})
	if err == nil {
		t.Fatal("CreateProject in a missing namespace: no error")
	}
	if all, _ := s.Projects(ctx); len(all) != 2 {
		t.Fatalf("failed CreateProject left %d projects", len(all))
	}
}

func testProjectPaths(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	alice := mkUser(t, s, "Alice")
	a := mkGroup(t, s, "a", nil)
	b := mkGroup(t, s, "B", a)
	mine := mkProject(t, s, alice.NamespaceID, "Proj", alice.ID)
	nested := mkProject(t, s, b.ID, "proj", alice.ID)
	top := mkProject(t, s, a.ID, "proj", alice.ID)

	for path, want := range map[string]int64{
		"Alice/Proj": mine.ID, "alice/proj": mine.ID, "ALICE/PROJ": mine.ID,
		"a/B/proj": nested.ID, "a/b/proj": nested.ID, "A/B/PROJ": nested.ID,
		"a/proj": top.ID, "A/Proj": top.ID,
	} {
		got, err := s.ProjectByFullPath(ctx, path)
		noErr(t, err, "ProjectByFullPath "+path)
		if got.ID != want {
			t.Fatalf("ProjectByFullPath(%q) = %d (%s), want %d", path, got.ID, got.FullPath(), want)
		}
	}
	got, err := s.ProjectByFullPath(ctx, "A/B/PROJ")
	noErr(t, err, "ProjectByFullPath")
	if got.FullPath() != "a/B/proj" || got.Namespace.ID != b.ID {
		t.Fatalf("ProjectByFullPath keeps stored case: %q, namespace %+v", got.FullPath(), got.Namespace)
	}

	for _, path := range []string{
		"", "x", "a/", "/x", "/", "//", "proj", "a/b", "a/B", "a/b/proj/", "/a/b/proj", "a//proj", "a/b//proj",
		"a/b/nope", "nope/proj", "bob/proj", "a/b/c/proj", "alice", "alice/", "b/proj",
	} {
		_, err := s.ProjectByFullPath(ctx, path)
		wantErr(t, err, store.ErrNotFound, fmt.Sprintf("ProjectByFullPath(%q)", path))
	}
}

func testProjectConflicts(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	alice := mkUser(t, s, "alice")
	g := mkGroup(t, s, "g", nil)
	mkProject(t, s, g.ID, "proj", alice.ID)
	mkProject(t, s, alice.NamespaceID, "proj", alice.ID)
	for _, path := range []string{"proj", "PROJ", "Proj"} {
		err := s.CreateProject(ctx, &store.Project{Name: "dup", Path: path, NamespaceID: g.ID, CreatorID: alice.ID})
		wantErr(t, err, store.ErrConflict, "CreateProject duplicate "+path)
	}
	all, err := s.Projects(ctx)
	noErr(t, err, "Projects")
	if len(all) != 2 {
		t.Fatalf("Projects after conflicts = %d, want 2", len(all))
	}
}

func testDeleteProject(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	alice := mkUser(t, s, "alice")
	bob := mkUser(t, s, "bob")
	g := mkGroup(t, s, "g", nil)
	p := mkProject(t, s, g.ID, "proj", alice.ID)
	keep := mkProject(t, s, g.ID, "keep", alice.ID)
	for _, pid := range []int64{p.ID, keep.ID} {
		for _, slug := range []string{"slack", "jira"} {
			_, err := s.UpdateService(ctx, pid, slug, func(sv *store.Service) error {
				sv.Active = true
				sv.Properties = map[string]any{"x": "y"}
				return nil
			})
			noErr(t, err, "UpdateService")
		}
		noErr(t, s.SetMember(ctx, store.ProjectSource, pid, store.Member{UserID: bob.ID, AccessLevel: store.Developer}), "SetMember")
	}
	noErr(t, s.SetMember(ctx, store.NamespaceSource, g.ID, store.Member{UserID: alice.ID, AccessLevel: store.Owner}), "SetMember")

	noErr(t, s.DeleteProject(ctx, p.ID), "DeleteProject")

	_, err := s.Project(ctx, p.ID)
	wantErr(t, err, store.ErrNotFound, "Project after DeleteProject")
	_, err = s.ProjectByFullPath(ctx, "g/proj")
	wantErr(t, err, store.ErrNotFound, "ProjectByFullPath after DeleteProject")
	_, err = s.Service(ctx, p.ID, "slack")
	wantErr(t, err, store.ErrNotFound, "Service after DeleteProject")
	svcs, err := s.Services(ctx, p.ID)
	noErr(t, err, "Services")
	if len(svcs) != 0 {
		t.Fatalf("Services after DeleteProject = %+v", svcs)
	}
	members, err := s.Members(ctx, store.ProjectSource, p.ID)
	noErr(t, err, "Members")
	if len(members) != 0 {
		t.Fatalf("Members after DeleteProject = %+v", members)
	}
	_, err = s.Member(ctx, store.ProjectSource, p.ID, bob.ID)
	wantErr(t, err, store.ErrNotFound, "Member after DeleteProject")
	var left []string
	noErr(t, s.AllServices(ctx, func(sv *store.Service) error {
		if sv.ProjectID == p.ID {
			t.Errorf("AllServices still has %+v", sv)
		}
		left = append(left, sv.Slug)
		return nil
	}), "AllServices")
	if len(left) != 2 {
		t.Fatalf("AllServices after DeleteProject = %v, want the other project's 2", left)
	}

	// The other project, the group and its members are untouched.
	svcs, err = s.Services(ctx, keep.ID)
	noErr(t, err, "Services(keep)")
	if len(svcs) != 2 {
		t.Fatalf("Services(keep) = %+v", svcs)
	}
	if m, err := s.Member(ctx, store.ProjectSource, keep.ID, bob.ID); err != nil || m.AccessLevel != store.Developer {
		t.Fatalf("Member(keep, bob) = %+v, %v", m, err)
	}
	if m, err := s.Member(ctx, store.NamespaceSource, g.ID, alice.ID); err != nil || m.AccessLevel != store.Owner {
		t.Fatalf("Member(g, alice) = %+v, %v", m, err)
	}

	wantErr(t, s.DeleteProject(ctx, p.ID), store.ErrNotFound, "DeleteProject twice")

	// The path is free again, and the new project starts clean.
	again := mkProject(t, s, g.ID, "proj", alice.ID)
	if svcs, err := s.Services(ctx, again.ID); err != nil || len(svcs) != 0 {
		t.Fatalf("Services of recreated project = %+v, %v", svcs, err)
	}
	if ms, err := s.Members(ctx, store.ProjectSource, again.ID); err != nil || len(ms) != 0 {
		t.Fatalf("Members of recreated project = %+v, %v", ms, err)
	}
}

func testIntakeTokenHash(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	alice := mkUser(t, s, "alice")
	p := mkProject(t, s, alice.NamespaceID, "p", alice.ID)
	q := mkProject(t, s, alice.NamespaceID, "q", alice.ID)
	noErr(t, s.SetIntakeTokenHash(ctx, p.ID, "h1"), "SetIntakeTokenHash")
	got, err := s.Project(ctx, p.ID)
	noErr(t, err, "Project")
	if got.IntakeTokenHash != "h1" {
		t.Fatalf("IntakeTokenHash = %q, want h1", got.IntakeTokenHash)
	}
	noErr(t, s.SetIntakeTokenHash(ctx, p.ID, "h2"), "SetIntakeTokenHash again")
	got, err = s.ProjectByFullPath(ctx, "alice/p")
	noErr(t, err, "ProjectByFullPath")
	if got.IntakeTokenHash != "h2" {
		t.Fatalf("IntakeTokenHash = %q, want h2", got.IntakeTokenHash)
	}
	if other, _ := s.Project(ctx, q.ID); other == nil || other.IntakeTokenHash != "" {
		t.Fatalf("SetIntakeTokenHash changed another project: %+v", other)
	}
	noErr(t, s.SetIntakeTokenHash(ctx, p.ID, ""), "clearing SetIntakeTokenHash")
	if got, _ := s.Project(ctx, p.ID); got == nil || got.IntakeTokenHash != "" {
		t.Fatalf("IntakeTokenHash not cleared: %+v", got)
	}
	wantErr(t, s.SetIntakeTokenHash(ctx, q.ID+1000, "h"), store.ErrNotFound, "SetIntakeTokenHash(unknown)")
}

// ---- members ----

func testMembers(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	alice := mkUser(t, s, "alice")
	bob := mkUser(t, s, "bob")
	g := mkGroup(t, s, "g", nil)
	p := mkProject(t, s, g.ID, "p", alice.ID)

	ms, err := s.Members(ctx, store.ProjectSource, p.ID)
	noErr(t, err, "Members")
	if len(ms) != 0 {
		t.Fatalf("Members of a new project = %+v", ms)
	}
	_, err = s.Member(ctx, store.ProjectSource, p.ID, bob.ID)
	wantErr(t, err, store.ErrNotFound, "Member(missing)")

	noErr(t, s.SetMember(ctx, store.ProjectSource, p.ID, store.Member{UserID: bob.ID, AccessLevel: store.Developer}), "SetMember insert")
	m, err := s.Member(ctx, store.ProjectSource, p.ID, bob.ID)
	noErr(t, err, "Member")
	if m.UserID != bob.ID || m.AccessLevel != store.Developer || m.ExpiresAt != nil {
		t.Fatalf("Member = %+v", m)
	}
	if m.User.ID != bob.ID || m.User.Username != "bob" || m.User.Email != "bob@example.com" || m.User.NamespaceID != bob.NamespaceID {
		t.Fatalf("Member.User = %+v", m.User)
	}
	sameTime(t, "Member.User.CreatedAt", m.User.CreatedAt, bob.CreatedAt)
	recent(t, "Member.CreatedAt", m.CreatedAt)
	created := m.CreatedAt

	// Update: level and expiry change, still one row.
	expires := time.Date(2040, 6, 7, 8, 9, 10, 111222333, time.UTC)
	noErr(t, s.SetMember(ctx, store.ProjectSource, p.ID, store.Member{UserID: bob.ID, AccessLevel: store.Maintainer, ExpiresAt: &expires}), "SetMember update")
	m, err = s.Member(ctx, store.ProjectSource, p.ID, bob.ID)
	noErr(t, err, "Member")
	if m.AccessLevel != store.Maintainer {
		t.Fatalf("AccessLevel after update = %d", m.AccessLevel)
	}
	sameOptTime(t, "ExpiresAt", m.ExpiresAt, ptr(expires.Truncate(time.Microsecond)))
	sameTime(t, "Member.CreatedAt after update", m.CreatedAt, created)
	ms, err = s.Members(ctx, store.ProjectSource, p.ID)
	noErr(t, err, "Members")
	if len(ms) != 1 || ms[0].AccessLevel != store.Maintainer || ms[0].User.Username != "bob" {
		t.Fatalf("Members after update = %+v", ms)
	}
	// And the expiry can be cleared.
	noErr(t, s.SetMember(ctx, store.ProjectSource, p.ID, store.Member{UserID: bob.ID, AccessLevel: store.Reporter}), "SetMember clear expiry")
	m, err = s.Member(ctx, store.ProjectSource, p.ID, bob.ID)
	noErr(t, err, "Member")
	if m.AccessLevel != store.Reporter || m.ExpiresAt != nil {
		t.Fatalf("Member after clearing expiry = %+v", m)
	}

	noErr(t, s.SetMember(ctx, store.ProjectSource, p.ID, store.Member{UserID: alice.ID, AccessLevel: store.Owner}), "SetMember alice")
	ms, err = s.Members(ctx, store.ProjectSource, p.ID)
	noErr(t, err, "Members")
	byUser := map[int64]store.Member{}
	for _, m := range ms {
		if m.User.ID != m.UserID {
			t.Fatalf("Members: User not filled: %+v", m)
		}
		byUser[m.UserID] = m
	}
	if len(ms) != 2 || byUser[alice.ID].AccessLevel != store.Owner || byUser[bob.ID].AccessLevel != store.Reporter ||
		byUser[alice.ID].User.Username != "alice" {
		t.Fatalf("Members = %+v", ms)
	}

	// Group members are kept apart from project members, even with the
	// same numeric id.
	noErr(t, s.SetMember(ctx, store.NamespaceSource, g.ID, store.Member{UserID: alice.ID, AccessLevel: store.Guest}), "SetMember group")
	gms, err := s.Members(ctx, store.NamespaceSource, g.ID)
	noErr(t, err, "Members(group)")
	if len(gms) != 1 || gms[0].UserID != alice.ID || gms[0].AccessLevel != store.Guest || gms[0].User.Username != "alice" {
		t.Fatalf("group Members = %+v", gms)
	}
	if ms, err := s.Members(ctx, store.NamespaceSource, p.ID); err != nil || slices.ContainsFunc(ms, func(m store.Member) bool { return m.UserID == bob.ID }) {
		t.Fatalf("Members(namespace, project id) = %+v, %v: project members leak into groups", ms, err)
	}
	_, err = s.Member(ctx, store.NamespaceSource, g.ID, bob.ID)
	wantErr(t, err, store.ErrNotFound, "group Member(bob)")
	if m, _ := s.Member(ctx, store.ProjectSource, p.ID, alice.ID); m == nil || m.AccessLevel != store.Owner {
		t.Fatalf("group SetMember changed the project membership: %+v", m)
	}

	// Remove.
	noErr(t, s.RemoveMember(ctx, store.ProjectSource, p.ID, bob.ID), "RemoveMember")
	_, err = s.Member(ctx, store.ProjectSource, p.ID, bob.ID)
	wantErr(t, err, store.ErrNotFound, "Member after RemoveMember")
	ms, err = s.Members(ctx, store.ProjectSource, p.ID)
	noErr(t, err, "Members")
	if len(ms) != 1 || ms[0].UserID != alice.ID {
		t.Fatalf("Members after RemoveMember = %+v", ms)
	}
	wantErr(t, s.RemoveMember(ctx, store.ProjectSource, p.ID, bob.ID), store.ErrNotFound, "RemoveMember twice")
	wantErr(t, s.RemoveMember(ctx, store.NamespaceSource, g.ID, bob.ID), store.ErrNotFound, "RemoveMember(non-member)")
	if gms, _ := s.Members(ctx, store.NamespaceSource, g.ID); len(gms) != 1 {
		t.Fatalf("group members after project RemoveMember = %+v", gms)
	}
}

func testAccessLevel(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	owner := mkUser(t, s, "owner")
	direct := mkUser(t, s, "direct")
	inherit := mkUser(t, s, "inherit")
	multi := mkUser(t, s, "multi")
	expired := mkUser(t, s, "expired")
	stranger := mkUser(t, s, "stranger")
	sibling := mkUser(t, s, "sibling")

	top := mkGroup(t, s, "top", nil)
	sub := mkGroup(t, s, "sub", top)
	other := mkGroup(t, s, "other", nil)
	p := mkProject(t, s, sub.ID, "p", owner.ID) // top/sub/p
	personal := mkProject(t, s, owner.NamespaceID, "own", owner.ID)
	otherP := mkProject(t, s, other.ID, "q", owner.ID)

	set := func(source string, id int64, u *store.User, level int, expires *time.Time) {
		t.Helper()
		noErr(t, s.SetMember(ctx, source, id, store.Member{UserID: u.ID, AccessLevel: level, ExpiresAt: expires}), "SetMember")
	}
	past := time.Now().Add(-time.Hour)
	future := time.Now().Add(time.Hour)

	set(store.ProjectSource, p.ID, direct, store.Developer, nil)
	set(store.NamespaceSource, top.ID, inherit, store.Reporter, nil)
	set(store.ProjectSource, p.ID, multi, store.Guest, nil)
	set(store.NamespaceSource, sub.ID, multi, store.Maintainer, &future)
	set(store.NamespaceSource, top.ID, multi, store.Developer, nil)
	set(store.ProjectSource, p.ID, expired, store.Owner, &past)
	set(store.NamespaceSource, top.ID, expired, store.Maintainer, &past)
	set(store.NamespaceSource, sub.ID, expired, store.Guest, &future)
	set(store.NamespaceSource, other.ID, sibling, store.Owner, nil)
	set(store.ProjectSource, otherP.ID, sibling, store.Owner, nil)
	set(store.ProjectSource, personal.ID, direct, store.Reporter, nil)

	cases := []struct {
		who     *store.User
		project *store.Project
		want    int
	}{
		{direct, p, store.Developer},
		{inherit, p, store.Reporter},
		{multi, p, store.Maintainer},
		{expired, p, store.Guest},
		{stranger, p, store.NoAccess},
		{sibling, p, store.NoAccess},
		{owner, p, store.NoAccess}, // creating a project grants nothing by itself
		{owner, personal, store.Owner},
		{direct, personal, store.Reporter},
		{inherit, personal, store.NoAccess},
		{stranger, personal, store.NoAccess},
		{sibling, otherP, store.Owner},
		{inherit, otherP, store.NoAccess},
	}
	for _, c := range cases {
		got, err := s.AccessLevel(ctx, c.who.ID, c.project.ID)
		noErr(t, err, "AccessLevel")
		if got != c.want {
			t.Errorf("AccessLevel(%s, %s) = %d, want %d", c.who.Username, c.project.FullPath(), got, c.want)
		}
		checkProjectWithAccess(t, s, c.who.ID, c.project, c.want)
	}
	checkProjectWithAccess(t, s, 0, p, store.NoAccess) // no user
	checkProjectWithAccess(t, s, 0, personal, store.NoAccess)

	// A group member of a group nested under the project's namespace has
	// no access to it.
	child := mkGroup(t, s, "child", sub)
	set(store.NamespaceSource, child.ID, stranger, store.Owner, nil)
	if got, err := s.AccessLevel(ctx, stranger.ID, p.ID); err != nil || got != store.NoAccess {
		t.Errorf("AccessLevel via a subgroup = %d, %v, want 0", got, err)
	}
	checkProjectWithAccess(t, s, stranger.ID, p, store.NoAccess)
	// Renewing an expired membership restores it.
	set(store.ProjectSource, p.ID, expired, store.Owner, &future)
	if got, err := s.AccessLevel(ctx, expired.ID, p.ID); err != nil || got != store.Owner {
		t.Errorf("AccessLevel after renewal = %d, %v, want 50", got, err)
	}
	checkProjectWithAccess(t, s, expired.ID, p, store.Owner)

	// No project, whoever asks: by an id nobody has, by paths naming
	// nothing (an unknown project, namespace or nesting, no slash at all).
	notFound := []struct {
		id   int64
		path string
	}{
		{otherP.ID + 1000, ""},
		{0, "top/sub/nope"},
		{0, "top/nope/p"},
		{0, "sub/p"},
		{0, "top/sub/p/p"},
		{0, "p"},
		{0, ""},
	}
	for _, c := range notFound {
		for _, who := range []int64{0, owner.ID, direct.ID} {
			_, _, err := s.ProjectWithAccess(ctx, c.id, c.path, who)
			wantErr(t, err, store.ErrNotFound, fmt.Sprintf("ProjectWithAccess(%d, %q, user %d)", c.id, c.path, who))
		}
	}
}

// checkProjectWithAccess checks that ProjectWithAccess finds p, by id and
// by full path (in any case), as Project and ProjectByFullPath find it,
// with the level AccessLevel gives, which must be want.
func checkProjectWithAccess(t *testing.T, s store.Store, userID int64, p *store.Project, want int) {
	t.Helper()
	ctx := ctxOf(t)
	byID, err := s.Project(ctx, p.ID)
	noErr(t, err, "Project")
	byPath, err := s.ProjectByFullPath(ctx, p.FullPath())
	noErr(t, err, "ProjectByFullPath")
	level, err := s.AccessLevel(ctx, userID, p.ID)
	noErr(t, err, "AccessLevel")
	if level != want {
		t.Errorf("AccessLevel(user %d, %s) = %d, want %d", userID, p.FullPath(), level, want)
	}
	lookups := []struct {
		id   int64
		path string
		want *store.Project
	}{
		{p.ID, "", byID},
		{0, p.FullPath(), byPath},
		{0, strings.ToUpper(p.FullPath()), byPath},
	}
	for _, l := range lookups {
		what := fmt.Sprintf("ProjectWithAccess(%d, %q, user %d)", l.id, l.path, userID)
		got, gotLevel, err := s.ProjectWithAccess(ctx, l.id, l.path, userID)
		noErr(t, err, what)
		if !reflect.DeepEqual(got, l.want) {
			t.Errorf("%s: project %+v, want %+v", what, got, l.want)
		}
		if gotLevel != level {
			t.Errorf("%s: level %d, AccessLevel says %d", what, gotLevel, level)
		}
	}
}

// ---- services ----

func mkServiceProject(t *testing.T, s store.Store) *store.Project {
	t.Helper()
	u := mkUser(t, s, "alice")
	return mkProject(t, s, u.NamespaceID, "p", u.ID)
}

func testServiceNotFound(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	p := mkServiceProject(t, s)
	_, err := s.Service(ctx, p.ID, "slack")
	wantErr(t, err, store.ErrNotFound, "Service(unknown slug)")
	_, err = s.Service(ctx, p.ID+1000, "slack")
	wantErr(t, err, store.ErrNotFound, "Service(unknown project)")
	svcs, err := s.Services(ctx, p.ID)
	noErr(t, err, "Services")
	if len(svcs) != 0 {
		t.Fatalf("Services of a new project = %+v", svcs)
	}
	n := 0
	noErr(t, s.AllServices(ctx, func(*store.Service) error { n++; return nil }), "AllServices")
	if n != 0 {
		t.Fatalf("AllServices on an empty store visited %d", n)
	}
}

// richProperties exercises every kind of JSON value, as decoded by
// encoding/json into an any.
func richProperties() map[string]any {
	return map[string]any{
		"webhook":   "https://example.com/hook?a=1&b=2",
		"empty":     "",
		"unicode":   "héllo ✓ \"quoted\" \\ back\nslash",
		"int":       float64(42),
		"zero":      float64(0),
		"negative":  float64(-7),
		"float":     1.5,
		"big":       float64(1 << 52),
		"true":      true,
		"false":     false,
		"null":      nil,
		"list":      []any{float64(1), "two", nil, true, []any{}, map[string]any{"k": "v"}},
		"emptyList": []any{},
		"object": map[string]any{
			"nested": map[string]any{"deep": []any{map[string]any{"x": nil, "y": false}}},
			"n":      float64(3),
		},
		"emptyObject": map[string]any{},
	}
}

func testUpdateServiceCreate(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	p := mkServiceProject(t, s)
	flags := map[string]bool{"push_events": true, "issues_events": false, "comment_on_event_enabled": true}
	sealed := map[string]string{"token": "v1:sealed-token", "password": "v1:sealed-password", "empty": ""}
	calls := 0
	out, err := s.UpdateService(ctx, p.ID, "slack", func(sv *store.Service) error {
		calls++
		if sv.ID != 0 || sv.ProjectID != p.ID || sv.Slug != "slack" || sv.Active {
			t.Errorf("fn got %+v, want a zero service with ID 0 for (%d, slack)", sv, p.ID)
		}
		if len(sv.Flags) != 0 || len(sv.Properties) != 0 || len(sv.Sealed) != 0 {
			t.Errorf("fn got non-empty maps: %+v", sv)
		}
		sv.Active = true
		sv.Flags = flags
		sv.Properties = richProperties()
		sv.Sealed = sealed
		return nil
	})
	noErr(t, err, "UpdateService")
	if calls == 0 {
		t.Fatal("fn not called")
	}
	if out.ID == 0 || out.ProjectID != p.ID || out.Slug != "slack" || !out.Active {
		t.Fatalf("UpdateService returned %+v", out)
	}
	recent(t, "CreatedAt", out.CreatedAt)
	recent(t, "UpdatedAt", out.UpdatedAt)

	got, err := s.Service(ctx, p.ID, "slack")
	noErr(t, err, "Service")
	if got.ID != out.ID || got.ProjectID != p.ID || got.Slug != "slack" || !got.Active {
		t.Fatalf("Service = %+v", got)
	}
	deepEqual(t, "Flags", got.Flags, flags)
	deepEqual(t, "Properties", got.Properties, richProperties())
	deepEqual(t, "Sealed", got.Sealed, sealed)
	sameTime(t, "CreatedAt", got.CreatedAt, out.CreatedAt)
	sameTime(t, "UpdatedAt", got.UpdatedAt, out.UpdatedAt)
}

func testUpdateServiceUpdate(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	p := mkServiceProject(t, s)
	first, err := s.UpdateService(ctx, p.ID, "jira", func(sv *store.Service) error {
		sv.Active = true
		sv.Flags = map[string]bool{"push_events": true}
		sv.Properties = map[string]any{"url": "https://jira.example.com", "keep": float64(1), "drop": "me"}
		sv.Sealed = map[string]string{"password": "s1"}
		return nil
	})
	noErr(t, err, "UpdateService create")
	time.Sleep(5 * time.Millisecond) // let the clock move on

	second, err := s.UpdateService(ctx, p.ID, "jira", func(sv *store.Service) error {
		if sv.ID != first.ID || !sv.Active {
			t.Errorf("fn got %+v, want the stored service %d", sv, first.ID)
		}
		deepEqual(t, "fn Properties", sv.Properties, map[string]any{"url": "https://jira.example.com", "keep": float64(1), "drop": "me"})
		deepEqual(t, "fn Flags", sv.Flags, map[string]bool{"push_events": true})
		deepEqual(t, "fn Sealed", sv.Sealed, map[string]string{"password": "s1"})
		if !sv.CreatedAt.Equal(first.CreatedAt) {
			t.Errorf("fn CreatedAt = %v, want %v", sv.CreatedAt, first.CreatedAt)
		}
		sv.Active = false
		delete(sv.Properties, "drop")
		sv.Properties["added"] = map[string]any{"a": []any{nil}}
		sv.Flags["push_events"] = false
		sv.Flags["note_events"] = true
		sv.Sealed["password"] = "s2"
		return nil
	})
	noErr(t, err, "UpdateService update")
	if second.ID != first.ID {
		t.Fatalf("update changed ID %d -> %d", first.ID, second.ID)
	}
	sameTime(t, "CreatedAt after update", second.CreatedAt, first.CreatedAt)
	if !second.UpdatedAt.After(first.UpdatedAt) {
		t.Fatalf("UpdatedAt not advanced: %v then %v", first.UpdatedAt, second.UpdatedAt)
	}

	got, err := s.Service(ctx, p.ID, "jira")
	noErr(t, err, "Service")
	if got.ID != first.ID || got.Active {
		t.Fatalf("Service = %+v", got)
	}
	deepEqual(t, "Properties", got.Properties, map[string]any{"url": "https://jira.example.com", "keep": float64(1), "added": map[string]any{"a": []any{nil}}})
	deepEqual(t, "Flags", got.Flags, map[string]bool{"push_events": false, "note_events": true})
	deepEqual(t, "Sealed", got.Sealed, map[string]string{"password": "s2"})
	sameTime(t, "CreatedAt", got.CreatedAt, first.CreatedAt)
	sameTime(t, "UpdatedAt", got.UpdatedAt, second.UpdatedAt)

	// Values given as Go numbers come back as JSON numbers.
	_, err = s.UpdateService(ctx, p.ID, "jira", func(sv *store.Service) error {
		sv.Properties = map[string]any{"n": 7, "m": int64(-2), "f": float32(0.5)}
		return nil
	})
	noErr(t, err, "UpdateService with ints")
	got, err = s.Service(ctx, p.ID, "jira")
	noErr(t, err, "Service")
	deepEqual(t, "Properties from Go numbers", got.Properties, map[string]any{"n": float64(7), "m": float64(-2), "f": 0.5})
}

func testUpdateServiceError(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	p := mkServiceProject(t, s)
	boom := errors.New("boom")

	// A new service is not created.
	_, err := s.UpdateService(ctx, p.ID, "slack", func(sv *store.Service) error {
		sv.Active = true
		sv.Properties = map[string]any{"x": "y"}
		return boom
	})
	wantErr(t, err, boom, "UpdateService with failing fn")
	_, err = s.Service(ctx, p.ID, "slack")
	wantErr(t, err, store.ErrNotFound, "Service after failed create")

	// An existing one is not changed.
	before, err := s.UpdateService(ctx, p.ID, "slack", func(sv *store.Service) error {
		sv.Active = true
		sv.Properties = map[string]any{"x": "y"}
		sv.Sealed = map[string]string{"k": "v"}
		return nil
	})
	noErr(t, err, "UpdateService")
	time.Sleep(2 * time.Millisecond)
	_, err = s.UpdateService(ctx, p.ID, "slack", func(sv *store.Service) error {
		sv.Active = false
		sv.Properties["x"] = "changed"
		sv.Sealed["k"] = "changed"
		return fmt.Errorf("wrapped: %w", boom)
	})
	wantErr(t, err, boom, "UpdateService with failing fn")
	got, err := s.Service(ctx, p.ID, "slack")
	noErr(t, err, "Service")
	if !got.Active || got.Properties["x"] != "y" || got.Sealed["k"] != "v" {
		t.Fatalf("failed update wrote: %+v", got)
	}
	sameTime(t, "UpdatedAt after failed update", got.UpdatedAt, before.UpdatedAt)

	// The store's own sentinel errors pass through fn too.
	_, err = s.UpdateService(ctx, p.ID, "slack", func(*store.Service) error { return store.ErrNotFound })
	wantErr(t, err, store.ErrNotFound, "UpdateService with fn returning ErrNotFound")
}

func testServiceEmptyMaps(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	p := mkServiceProject(t, s)
	out, err := s.UpdateService(ctx, p.ID, "asana", func(*store.Service) error { return nil })
	noErr(t, err, "UpdateService with nil maps")
	got, err := s.Service(ctx, p.ID, "asana")
	noErr(t, err, "Service")
	if got.ID != out.ID || got.Active || len(got.Flags) != 0 || len(got.Properties) != 0 || len(got.Sealed) != 0 {
		t.Fatalf("Service = %+v", got)
	}
	// Empty, non-nil maps too.
	_, err = s.UpdateService(ctx, p.ID, "asana", func(sv *store.Service) error {
		sv.Flags, sv.Properties, sv.Sealed = map[string]bool{}, map[string]any{}, map[string]string{}
		return nil
	})
	noErr(t, err, "UpdateService with empty maps")
	got, err = s.Service(ctx, p.ID, "asana")
	noErr(t, err, "Service")
	if len(got.Flags) != 0 || len(got.Properties) != 0 || len(got.Sealed) != 0 {
		t.Fatalf("Service = %+v", got)
	}
}

func testServices(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	alice := mkUser(t, s, "alice")
	p := mkProject(t, s, alice.NamespaceID, "p", alice.ID)
	q := mkProject(t, s, alice.NamespaceID, "q", alice.ID)
	for _, slug := range []string{"slack", "asana", "mattermost", "jira"} {
		_, err := s.UpdateService(ctx, p.ID, slug, func(sv *store.Service) error {
			sv.Active = slug != "asana"
			sv.Properties = map[string]any{"slug": slug}
			return nil
		})
		noErr(t, err, "UpdateService "+slug)
	}
	_, err := s.UpdateService(ctx, q.ID, "bamboo", func(sv *store.Service) error { return nil })
	noErr(t, err, "UpdateService bamboo")

	svcs, err := s.Services(ctx, p.ID)
	noErr(t, err, "Services")
	var slugs []string
	for _, sv := range svcs {
		if sv.ProjectID != p.ID || sv.ID == 0 || sv.Properties["slug"] != sv.Slug || sv.Active != (sv.Slug != "asana") {
			t.Fatalf("Services has %+v", sv)
		}
		slugs = append(slugs, sv.Slug)
	}
	deepEqual(t, "Services slugs", slugs, []string{"asana", "jira", "mattermost", "slack"})

	svcs, err = s.Services(ctx, q.ID)
	noErr(t, err, "Services(q)")
	if len(svcs) != 1 || svcs[0].Slug != "bamboo" {
		t.Fatalf("Services(q) = %+v", svcs)
	}
	// Slugs are per project.
	if _, err := s.Service(ctx, q.ID, "slack"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Service(q, slack): %v", err)
	}
}

func testAllServices(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	alice := mkUser(t, s, "alice")
	p := mkProject(t, s, alice.NamespaceID, "p", alice.ID)
	q := mkProject(t, s, alice.NamespaceID, "q", alice.ID)
	want := map[string]bool{}
	for _, ps := range []struct {
		p    *store.Project
		slug string
	}{{p, "slack"}, {q, "slack"}, {p, "jira"}, {q, "asana"}, {q, "teams"}} {
		_, err := s.UpdateService(ctx, ps.p.ID, ps.slug, func(sv *store.Service) error {
			sv.Sealed = map[string]string{"token": fmt.Sprint("sealed-", ps.p.ID, "-", ps.slug)}
			sv.Properties = map[string]any{"n": float64(ps.p.ID)}
			return nil
		})
		noErr(t, err, "UpdateService")
		want[fmt.Sprint(ps.p.ID, "/", ps.slug)] = true
	}

	got := map[string]bool{}
	noErr(t, s.AllServices(ctx, func(sv *store.Service) error {
		key := fmt.Sprint(sv.ProjectID, "/", sv.Slug)
		if got[key] {
			t.Errorf("AllServices visited %s twice", key)
		}
		got[key] = true
		if sv.ID == 0 || sv.Sealed["token"] != fmt.Sprint("sealed-", sv.ProjectID, "-", sv.Slug) || sv.Properties["n"] != float64(sv.ProjectID) {
			t.Errorf("AllServices gave %+v", sv)
		}
		if sv.CreatedAt.IsZero() || sv.UpdatedAt.IsZero() {
			t.Errorf("AllServices gave zero times: %+v", sv)
		}
		return nil
	}), "AllServices")
	deepEqual(t, "AllServices", got, want)

	// An error from fn stops the walk and is returned.
	stop := errors.New("stop")
	n := 0
	err := s.AllServices(ctx, func(*store.Service) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	wantErr(t, err, stop, "AllServices with failing fn")
	if n != 2 {
		t.Fatalf("AllServices went on after an error: %d calls", n)
	}
}

func testReplaceSealed(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	p := mkServiceProject(t, s)
	sv, err := s.UpdateService(ctx, p.ID, "slack", func(sv *store.Service) error {
		sv.Active = true
		sv.Flags = map[string]bool{"push_events": true}
		sv.Properties = map[string]any{"channel": "#general"}
		sv.Sealed = map[string]string{"token": "old", "other": "old2"}
		return nil
	})
	noErr(t, err, "UpdateService")
	other, err := s.UpdateService(ctx, p.ID, "jira", func(sv *store.Service) error {
		sv.Sealed = map[string]string{"password": "untouched"}
		return nil
	})
	noErr(t, err, "UpdateService")

	noErr(t, s.ReplaceSealed(ctx, sv.ID, map[string]string{"token": "new", "other": "new2"}), "ReplaceSealed")
	got, err := s.Service(ctx, p.ID, "slack")
	noErr(t, err, "Service")
	deepEqual(t, "Sealed", got.Sealed, map[string]string{"token": "new", "other": "new2"})
	deepEqual(t, "Properties", got.Properties, map[string]any{"channel": "#general"})
	deepEqual(t, "Flags", got.Flags, map[string]bool{"push_events": true})
	if !got.Active {
		t.Fatal("ReplaceSealed changed Active")
	}
	sameTime(t, "CreatedAt", got.CreatedAt, sv.CreatedAt)

	if o, err := s.Service(ctx, p.ID, "jira"); err != nil || o.Sealed["password"] != "untouched" || o.ID != other.ID {
		t.Fatalf("ReplaceSealed changed another service: %+v, %v", o, err)
	}

	noErr(t, s.ReplaceSealed(ctx, sv.ID, nil), "ReplaceSealed(nil)")
	got, err = s.Service(ctx, p.ID, "slack")
	noErr(t, err, "Service")
	if len(got.Sealed) != 0 {
		t.Fatalf("Sealed after ReplaceSealed(nil) = %v", got.Sealed)
	}
	wantErr(t, s.ReplaceSealed(ctx, other.ID+1000, map[string]string{"a": "b"}), store.ErrNotFound, "ReplaceSealed(unknown)")
}

// ---- settings ----

func testSettings(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	_, err := s.Setting(ctx, "secret_key")
	wantErr(t, err, store.ErrNotFound, "Setting(missing)")

	v, err := s.SetSettingIfAbsent(ctx, "secret_key", "first")
	noErr(t, err, "SetSettingIfAbsent")
	if v != "first" {
		t.Fatalf("SetSettingIfAbsent = %q, want first", v)
	}
	v, err = s.SetSettingIfAbsent(ctx, "secret_key", "second")
	noErr(t, err, "SetSettingIfAbsent again")
	if v != "first" {
		t.Fatalf("second SetSettingIfAbsent = %q, want first", v)
	}
	v, err = s.Setting(ctx, "secret_key")
	noErr(t, err, "Setting")
	if v != "first" {
		t.Fatalf("Setting = %q, want first", v)
	}

	noErr(t, s.SetSetting(ctx, "secret_key", "third"), "SetSetting overwrite")
	if v, err := s.Setting(ctx, "secret_key"); err != nil || v != "third" {
		t.Fatalf("Setting after SetSetting = %q, %v", v, err)
	}
	noErr(t, s.SetSetting(ctx, "other", "x"), "SetSetting new key")
	if v, err := s.Setting(ctx, "other"); err != nil || v != "x" {
		t.Fatalf("Setting(other) = %q, %v", v, err)
	}
	if v, err := s.SetSettingIfAbsent(ctx, "other", "y"); err != nil || v != "x" {
		t.Fatalf("SetSettingIfAbsent on a SetSetting key = %q, %v", v, err)
	}
	// Empty and long values round trip; keys are distinct.
	noErr(t, s.SetSetting(ctx, "empty", ""), "SetSetting empty")
	if v, err := s.Setting(ctx, "empty"); err != nil || v != "" {
		t.Fatalf("Setting(empty) = %q, %v", v, err)
	}
	long := strings.Repeat("0123456789", 10000)
	noErr(t, s.SetSetting(ctx, "long", long), "SetSetting long")
	if v, err := s.Setting(ctx, "long"); err != nil || v != long {
		t.Fatalf("Setting(long): len %d, %v", len(v), err)
	}
	if v, err := s.Setting(ctx, "secret_key"); err != nil || v != "third" {
		t.Fatalf("Setting(secret_key) = %q, %v", v, err)
	}
	_, err = s.Setting(ctx, "Secret_Key")
	wantErr(t, err, store.ErrNotFound, "Setting keys are case-sensitive")
}

// ---- ids that do not exist, including ones beyond 32 bits ----

func testUnknownIDs(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	alice := mkUser(t, s, "alice")
	p := mkProject(t, s, alice.NamespaceID, "p", alice.ID)
	for _, id := range []int64{p.ID + 1000, 1 << 31, 1 << 40, math.MaxInt64} {
		what := func(method string) string { return fmt.Sprintf("%s(%d)", method, id) }
		_, err := s.User(ctx, id)
		wantErr(t, err, store.ErrNotFound, what("User"))
		_, err = s.Token(ctx, id)
		wantErr(t, err, store.ErrNotFound, what("Token"))
		toks, err := s.Tokens(ctx, id)
		noErr(t, err, what("Tokens"))
		if len(toks) != 0 {
			t.Fatalf("%s = %+v", what("Tokens"), toks)
		}
		_, err = s.Namespace(ctx, id)
		wantErr(t, err, store.ErrNotFound, what("Namespace"))
		_, err = s.Project(ctx, id)
		wantErr(t, err, store.ErrNotFound, what("Project"))
		ms, err := s.Members(ctx, store.ProjectSource, id)
		noErr(t, err, what("Members"))
		if len(ms) != 0 {
			t.Fatalf("%s = %+v", what("Members"), ms)
		}
		_, err = s.Member(ctx, store.NamespaceSource, id, alice.ID)
		wantErr(t, err, store.ErrNotFound, what("Member"))
		_, err = s.Member(ctx, store.ProjectSource, p.ID, id)
		wantErr(t, err, store.ErrNotFound, what("Member(user)"))
		lvl, err := s.AccessLevel(ctx, id, p.ID)
		noErr(t, err, what("AccessLevel(user)"))
		if lvl != store.NoAccess {
			t.Fatalf("%s = %d", what("AccessLevel(user)"), lvl)
		}
		lvl, err = s.AccessLevel(ctx, alice.ID, id)
		noErr(t, err, what("AccessLevel(project)"))
		if lvl != store.NoAccess {
			t.Fatalf("%s = %d", what("AccessLevel(project)"), lvl)
		}
		_, _, err = s.ProjectWithAccess(ctx, id, "", alice.ID)
		wantErr(t, err, store.ErrNotFound, what("ProjectWithAccess"))
		_, err = s.Service(ctx, id, "slack")
		wantErr(t, err, store.ErrNotFound, what("Service"))
		svcs, err := s.Services(ctx, id)
		noErr(t, err, what("Services"))
		if len(svcs) != 0 {
			t.Fatalf("%s = %+v", what("Services"), svcs)
		}
		wantErr(t, s.DeleteUser(ctx, id), store.ErrNotFound, what("DeleteUser"))
		wantErr(t, s.RevokeToken(ctx, id), store.ErrNotFound, what("RevokeToken"))
		wantErr(t, s.DeleteProject(ctx, id), store.ErrNotFound, what("DeleteProject"))
		wantErr(t, s.SetIntakeTokenHash(ctx, id, "h"), store.ErrNotFound, what("SetIntakeTokenHash"))
		wantErr(t, s.RemoveMember(ctx, store.ProjectSource, p.ID, id), store.ErrNotFound, what("RemoveMember"))
		wantErr(t, s.ReplaceSealed(ctx, id, map[string]string{"a": "b"}), store.ErrNotFound, what("ReplaceSealed"))
		parent := id
		err = s.CreateGroup(ctx, &store.Namespace{Name: "g", Path: "g", ParentID: &parent})
		wantErr(t, err, store.ErrNotFound, what("CreateGroup below"))
	}
}

// ---- concurrency ----

func testConcurrentUpdateService(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	p := mkServiceProject(t, s)
	const workers = 20
	start := make(chan struct{})
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := s.UpdateService(ctx, p.ID, "counter", func(sv *store.Service) error {
				n := 0
				switch v := sv.Properties["n"].(type) {
				case nil:
				case float64:
					n = int(v)
				default:
					return fmt.Errorf("property n is %T %v", v, v)
				}
				// Hold the transaction open a little: an unserialised
				// read-modify-write then loses updates for sure.
				time.Sleep(2 * time.Millisecond)
				if sv.Properties == nil {
					sv.Properties = map[string]any{}
				}
				if sv.Sealed == nil {
					sv.Sealed = map[string]string{}
				}
				sv.Active = true
				sv.Properties["n"] = n + 1
				sv.Sealed[fmt.Sprint("w", i)] = "x"
				return nil
			})
			if err != nil {
				errs <- fmt.Errorf("worker %d: %w", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
	got, err := s.Service(ctx, p.ID, "counter")
	noErr(t, err, "Service")
	if got.Properties["n"] != float64(workers) {
		t.Fatalf("n = %v after %d concurrent increments: updates were lost", got.Properties["n"], workers)
	}
	if len(got.Sealed) != workers {
		t.Fatalf("Sealed has %d keys, want %d", len(got.Sealed), workers)
	}
	svcs, err := s.Services(ctx, p.ID)
	noErr(t, err, "Services")
	if len(svcs) != 1 {
		t.Fatalf("concurrent first writes made %d rows", len(svcs))
	}
}
