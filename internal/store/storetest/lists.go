package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

// testLists: the paged lists give one page in id order, the total (capped
// at store.CountCap+1), and apply the access rules in the query.
func testLists(t *testing.T, s store.Store) {
	ctx := context.Background()
	owner := &store.User{Username: "owner", Name: "O", Email: "o@example.com"}
	viewer := &store.User{Username: "Viewer", Name: "V", Email: "v@example.com"}
	for _, u := range []*store.User{owner, viewer} {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	users, total, err := s.ListUsers(ctx, "", store.Page{Offset: 1, Limit: 5})
	if err != nil || total != 2 || len(users) != 1 || users[0].ID != viewer.ID {
		t.Fatalf("ListUsers page 2: %v %d %v", users, total, err)
	}
	users, total, err = s.ListUsers(ctx, "VIEWER", store.Page{Limit: 5})
	if err != nil || total != 1 || len(users) != 1 || users[0].ID != viewer.ID {
		t.Fatalf("ListUsers by name: %v %d %v", users, total, err)
	}
	if users, total, err = s.ListUsers(ctx, "", store.Page{Offset: 1 << 62, Limit: 5}); err != nil || total != 2 || len(users) != 0 || users == nil {
		t.Fatalf("ListUsers past the end: %v %d %v", users, total, err)
	}
	for i := range 3 {
		if err := s.CreateToken(ctx, &store.Token{UserID: viewer.ID, Name: "t", Hash: fmt.Sprintf("h%d", i), Scopes: []string{"api"}}); err != nil {
			t.Fatal(err)
		}
	}
	if toks, total, err := s.ListTokens(ctx, viewer.ID, store.Page{Offset: 2, Limit: 2}); err != nil || total != 3 || len(toks) != 1 {
		t.Fatalf("ListTokens: %d %d %v", len(toks), total, err)
	}
	if toks, total, err := s.ListTokens(ctx, owner.ID, store.Page{Limit: 2}); err != nil || total != 0 || len(toks) != 0 {
		t.Fatalf("ListTokens of another: %d %d %v", len(toks), total, err)
	}

	top := &store.Namespace{Name: "Top", Path: "top"}
	must(t, s.CreateGroup(ctx, top))
	sub := &store.Namespace{Name: "Sub", Path: "sub", ParentID: &top.ID}
	must(t, s.CreateGroup(ctx, sub))
	pub := &store.Namespace{Name: "Pub", Path: "pub", Visibility: "public"}
	must(t, s.CreateGroup(ctx, pub))
	mk := func(ns int64, path, vis string) *store.Project {
		p := &store.Project{Name: path, Path: path, NamespaceID: ns, CreatorID: owner.ID, Visibility: vis}
		must(t, s.CreateProject(ctx, p))
		return p
	}
	hidden := mk(owner.NamespaceID, "hidden", "private")
	direct := mk(owner.NamespaceID, "direct", "private")
	deep := mk(sub.ID, "deep", "private")
	internal := mk(pub.ID, "internal", "internal")
	mine := mk(viewer.NamespaceID, "mine", "private")
	expired := mk(owner.NamespaceID, "expired", "private")
	past := time.Now().Add(-time.Hour)
	must(t, s.SetMember(ctx, store.ProjectSource, direct.ID, store.Member{UserID: viewer.ID, AccessLevel: store.Guest}))
	must(t, s.SetMember(ctx, store.ProjectSource, expired.ID, store.Member{UserID: viewer.ID, AccessLevel: store.Owner, ExpiresAt: &past}))
	must(t, s.SetMember(ctx, store.NamespaceSource, top.ID, store.Member{UserID: viewer.ID, AccessLevel: store.Reporter}))

	ids := func(ps []store.Project) []int64 {
		out := []int64{}
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	ps, total, err := s.VisibleProjects(ctx, viewer.ID, store.Page{Limit: 10})
	if want := []int64{direct.ID, deep.ID, internal.ID, mine.ID}; err != nil || total != 4 || fmt.Sprint(ids(ps)) != fmt.Sprint(want) {
		t.Fatalf("VisibleProjects: %v (total %d, %v), want %v", ids(ps), total, err, want)
	}
	if ps[0].Namespace.FullPath != "owner" || ps[1].FullPath() != "top/sub/deep" {
		t.Fatalf("namespaces not filled: %+v", ps[:2])
	}
	ps, total, err = s.VisibleProjects(ctx, viewer.ID, store.Page{Offset: 3, Limit: 2})
	if err != nil || total != 4 || fmt.Sprint(ids(ps)) != fmt.Sprint([]int64{mine.ID}) {
		t.Fatalf("VisibleProjects page: %v %d %v", ids(ps), total, err)
	}
	if ps, total, err = s.VisibleProjects(ctx, 0, store.Page{Limit: 100}); err != nil || total != 6 || ids(ps)[0] != hidden.ID {
		t.Fatalf("VisibleProjects for an admin: %v %d %v", ids(ps), total, err)
	}
	gs, total, err := s.VisibleGroups(ctx, viewer.ID, store.Page{Limit: 10})
	if err != nil || total != 3 || len(gs) != 3 {
		t.Fatalf("VisibleGroups of a member: %v %d %v", gs, total, err)
	}
	if gs, total, err = s.VisibleGroups(ctx, owner.ID, store.Page{Limit: 10}); err != nil || total != 1 || gs[0].ID != pub.ID {
		t.Fatalf("VisibleGroups of a stranger: %v %d %v", gs, total, err)
	}
	ms, total, err := s.ListMembers(ctx, store.NamespaceSource, top.ID, store.Page{Limit: 1})
	if err != nil || total != 1 || len(ms) != 1 || ms[0].User.Username != "Viewer" {
		t.Fatalf("ListMembers: %v %d %v", ms, total, err)
	}
}

// testListCountCap: the total of a list stops at store.CountCap+1. The
// rows are loaded in one transaction (Dumper.Load), not one by one.
func testListCountCap(t *testing.T, s store.Store) {
	d, ok := s.(store.Dumper)
	if !ok {
		t.Fatal("the store is not a Dumper")
	}
	ctx := context.Background()
	rows := []store.Row{{Table: "users", Values: map[string]any{"id": 1, "username": "many", "username_lower": "many",
		"name": "M", "email": "m@example.com", "admin": false, "namespace_id": 0, "created_at": 1}}}
	for i := range store.CountCap + 5 {
		rows = append(rows, store.Row{Table: "tokens", Values: map[string]any{"id": i + 1, "user_id": 1, "name": "t",
			"hash": fmt.Sprintf("cap%d", i), "scopes": "api", "revoked": false, "created_at": 1}})
	}
	loadRows(t, d, rows)
	toks, total, err := s.ListTokens(ctx, 1, store.Page{Offset: store.CountCap, Limit: 100})
	if err != nil || total != store.CountCap+1 || len(toks) != 5 {
		t.Fatalf("ListTokens beyond the cap: %d rows, total %d, %v", len(toks), total, err)
	}
}

// testDumpSnapshot: a row written while an export runs is not part of it
// (the tokens table is dumped after the users table, where it is written).
func testDumpSnapshot(t *testing.T, s store.Store) {
	d, ok := s.(store.Dumper)
	if !ok {
		t.Fatal("the store is not a Dumper")
	}
	ctx := context.Background()
	u := &store.User{Username: "first", Name: "F", Email: "f@example.com"}
	must(t, s.CreateUser(ctx, u))
	tokens, wrote := 0, false
	err := d.Dump(ctx, func(r store.Row) error {
		if !wrote {
			wrote = true // the snapshot has begun
			must(t, s.CreateToken(ctx, &store.Token{UserID: u.ID, Name: "late", Hash: "late", Scopes: []string{"api"}}))
		}
		if r.Table == "tokens" {
			tokens++
		}
		return nil
	})
	if err != nil || tokens != 0 {
		t.Fatalf("dumped %d tokens (%v): a token written during the export is in it", tokens, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// testDeliveryCountCap: a delivery log's total stops at store.CountCap+1,
// as the other lists' do, and its pages beyond the cap are still read.
func testDeliveryCountCap(t *testing.T, s store.Store) {
	d, ok := s.(store.Dumper)
	if !ok {
		t.Fatal("the store is not a Dumper")
	}
	ctx := context.Background()
	rows := []store.Row{
		{Table: "namespaces", Values: map[string]any{"id": 1, "name": "n", "path": "n", "full_path": "n", "full_path_lower": "n",
			"kind": "user", "description": "", "visibility": "private", "created_at": 1}},
		{Table: "projects", Values: map[string]any{"id": 1, "name": "p", "path": "p", "path_lower": "p", "namespace_id": 1,
			"description": "", "visibility": "private", "default_branch": "master", "creator_id": 1, "intake_token_hash": "",
			"created_at": 1, "last_activity_at": 1}},
		{Table: "events", Values: map[string]any{"id": 1, "project_id": 1, "kind": "push", "header": "Push Hook", "payload": "{}", "created_at": 1}},
	}
	for i := range store.CountCap + 5 {
		rows = append(rows, store.Row{Table: "deliveries", Values: map[string]any{"id": i + 1, "event_id": 1, "project_id": 1,
			"service": "slack", "status": store.DeliveryDelivered, "attempts": 1, "last_error": "", "created_at": 1, "updated_at": 1}})
	}
	loadRows(t, d, rows)
	for _, status := range []string{"", store.DeliveryDelivered} {
		list, total, err := s.DeliveryPage(ctx, 1, "slack", status, store.CountCap, 100)
		if err != nil || total != store.CountCap+1 || len(list) != 5 || list[4].ID != 1 {
			t.Fatalf("DeliveryPage(status %q) beyond the cap: %d rows, total %d, %v", status, len(list), total, err)
		}
	}
	if _, total, err := s.DeliveryPage(ctx, 1, "slack", store.DeliveryFailed, 0, 100); err != nil || total != 0 {
		t.Fatalf("failed deliveries: total %d, %v", total, err)
	}
}

// loadRows loads rows into an empty store in one transaction.
func loadRows(t *testing.T, d store.Dumper, rows []store.Row) {
	t.Helper()
	next := 0
	if _, err := d.Load(context.Background(), func() (*store.Row, error) {
		if next == len(rows) {
			return nil, nil
		}
		next++
		return &rows[next-1], nil
	}); err != nil {
		t.Fatal(err)
	}
}
