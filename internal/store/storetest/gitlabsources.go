package storetest

import (
	"testing"

	"github.com/glint-dev/glint/internal/store"
)

func testGitLabSources(t *testing.T, s store.Store) {
	ctx := ctxOf(t)
	alice := mkUser(t, s, "alice")
	p := mkProject(t, s, alice.NamespaceID, "p", alice.ID)
	q := mkProject(t, s, alice.NamespaceID, "q", alice.ID)

	_, err := s.GitLabSource(ctx, p.ID)
	wantErr(t, err, store.ErrNotFound, "GitLabSource before any")
	wantErr(t, s.DeleteGitLabSource(ctx, p.ID), store.ErrNotFound, "DeleteGitLabSource before any")
	wantErr(t, s.PutGitLabSource(ctx, &store.GitLabSource{ProjectID: q.ID + 1000, URL: "u", SealedToken: "t"}), store.ErrNotFound,
		"PutGitLabSource(unknown project)")

	src := &store.GitLabSource{ProjectID: p.ID, URL: "https://gitlab.example.com", SealedToken: "sealed-1"}
	noErr(t, s.PutGitLabSource(ctx, src), "PutGitLabSource")
	if src.CreatedAt.IsZero() || !src.UpdatedAt.Equal(src.CreatedAt) {
		t.Fatalf("times not set: %+v", src)
	}
	got, err := s.GitLabSource(ctx, p.ID)
	noErr(t, err, "GitLabSource")
	if got.URL != src.URL || got.SealedToken != "sealed-1" || !got.CreatedAt.Equal(src.CreatedAt) {
		t.Fatalf("GitLabSource = %+v, want %+v", got, src)
	}
	again := &store.GitLabSource{ProjectID: p.ID, URL: "https://gitlab2.example.com", SealedToken: "sealed-2"}
	noErr(t, s.PutGitLabSource(ctx, again), "PutGitLabSource again")
	got, err = s.GitLabSource(ctx, p.ID)
	noErr(t, err, "GitLabSource after replace")
	if got.URL != again.URL || got.SealedToken != "sealed-2" || !got.CreatedAt.Equal(src.CreatedAt) || got.UpdatedAt.Before(got.CreatedAt) {
		t.Fatalf("replaced GitLabSource = %+v (created %v)", got, src.CreatedAt)
	}
	noErr(t, s.PutGitLabSource(ctx, &store.GitLabSource{ProjectID: q.ID, URL: "https://q.example.com", SealedToken: "sealed-q"}), "PutGitLabSource q")
	all, err := s.GitLabSources(ctx)
	noErr(t, err, "GitLabSources")
	if len(all) != 2 || all[0].ProjectID != p.ID || all[1].ProjectID != q.ID {
		t.Fatalf("GitLabSources = %+v", all)
	}
	noErr(t, s.DeleteGitLabSource(ctx, p.ID), "DeleteGitLabSource")
	_, err = s.GitLabSource(ctx, p.ID)
	wantErr(t, err, store.ErrNotFound, "GitLabSource after delete")
	// Deleting the project deletes its source.
	noErr(t, s.DeleteProject(ctx, q.ID), "DeleteProject")
	if all, err := s.GitLabSources(ctx); err != nil || len(all) != 0 {
		t.Fatalf("GitLabSources after the project's deletion = %+v, %v", all, err)
	}
}
