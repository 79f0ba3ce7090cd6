package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/app"
	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/secret"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
	"github.com/glint-dev/glint/internal/store/sqlstore"
	"github.com/glint-dev/glint/internal/store/storetest/pgtest"
)

type instance struct {
	db   *sqlstore.DB
	keys *secret.Keyring
}

func newInstance(t *testing.T, dsn string, key []byte) instance {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cfg := app.Config{DataDir: dir, Database: dsn, SecretKey: secret.EncodeKeys(key)}
	db, err := app.OpenStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	keys, err := app.LoadKeys(ctx, cfg, db)
	if err != nil {
		t.Fatal(err)
	}
	return instance{db, keys}
}

// populate fills an instance through the store, secrets sealed as the API
// seals them.
func populate(t *testing.T, in instance) {
	ctx := context.Background()
	if _, err := app.Bootstrap(ctx, app.Config{DataDir: t.TempDir()}, in.db); err != nil {
		t.Fatal(err)
	}
	alice := &store.User{Username: "alice", Name: "Alice", Email: "a@example.com"}
	must(t, in.db.CreateUser(ctx, alice))
	g := &store.Namespace{Name: "G", Path: "g"}
	must(t, in.db.CreateGroup(ctx, g))
	must(t, in.db.SetMember(ctx, store.NamespaceSource, g.ID, store.Member{UserID: alice.ID, AccessLevel: store.Owner}))
	p := &store.Project{Name: "P", Path: "p", NamespaceID: g.ID, CreatorID: alice.ID}
	must(t, in.db.CreateProject(ctx, p))
	for _, slug := range []string{"jira", "slack", "pushover"} {
		s, _ := catalog.Lookup(slug)
		raw := map[string]any{}
		for _, f := range s.Fields {
			if f.Required {
				raw[f.Name] = "https://" + slug + ".example.com/" + f.Name
				if f.Example != "" {
					raw[f.Name] = f.Example
				}
			}
		}
		c, err := settings.Decode(s, raw)
		must(t, err)
		_, err = in.db.UpdateService(ctx, p.ID, slug, func(rec *store.Service) error {
			return settings.Apply(s, rec, c, in.keys, settings.Policy{})
		})
		must(t, err)
	}
	token, err := in.keys.Seal("glpat-source-token", settings.GitLabSourceTokenAD)
	must(t, err)
	must(t, in.db.PutGitLabSource(ctx, &store.GitLabSource{ProjectID: p.ID, URL: "https://gitlab.example.com", SealedToken: token}))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// canonical dumps an instance with its secrets opened and its key id left
// out, so instances under different keys compare equal.
func canonical(t *testing.T, in instance) string {
	var b strings.Builder
	err := in.db.Dump(context.Background(), func(r store.Row) error {
		if r.Table == "settings" && r.Values["key"] == "secret_key_id" {
			return nil
		}
		if r.Table == "services" {
			var sealed map[string]string
			must(t, json.Unmarshal([]byte(r.Values["sealed"].(string)), &sealed))
			for k, v := range sealed {
				plain, err := in.keys.Open(v, settings.AD(r.Values["slug"].(string), k))
				must(t, err)
				sealed[k] = plain
			}
			r.Values["sealed"] = sealed
		}
		if r.Table == "gitlab_sources" {
			plain, err := in.keys.Open(r.Values["token_sealed"].(string), settings.GitLabSourceTokenAD)
			must(t, err)
			r.Values["token_sealed"] = plain
		}
		line, _ := json.Marshal(r)
		b.Write(line)
		b.WriteByte('\n')
		return nil
	})
	must(t, err)
	return b.String()
}

func transfer(t *testing.T, from, to instance, source *secret.Keyring) {
	t.Helper()
	var buf bytes.Buffer
	if _, err := app.Export(context.Background(), from.db, &buf, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Import(context.Background(), to.db, &buf, to.keys, source, nil); err != nil {
		t.Fatal(err)
	}
}

// TestExportImportRoundTrip carries an instance from SQLite to PostgreSQL
// (under another key) and back to SQLite, and compares every row.
func TestExportImportRoundTrip(t *testing.T) {
	pgtest.AdminURL(t)
	keyA, keyB := secret.NewKey(), secret.NewKey()
	a := newInstance(t, "", keyA)
	populate(t, a)
	b := newInstance(t, pgtest.Postgres(t), keyB)
	transfer(t, a, b, a.keys)
	c := newInstance(t, "", keyB)
	transfer(t, b, c, nil)

	want := canonical(t, a)
	if got := canonical(t, b); got != want {
		t.Fatalf("PostgreSQL copy differs:\n%s\nwant:\n%s", got, want)
	}
	if got := canonical(t, c); got != want {
		t.Fatalf("SQLite copy differs:\n%s\nwant:\n%s", got, want)
	}
	if strings.Count(want, "\n") < 10 {
		t.Fatalf("too little data to prove anything:\n%s", want)
	}
	// New rows on the PostgreSQL copy get fresh ids.
	u := &store.User{Username: "bob", Name: "Bob", Email: "b@example.com"}
	if err := b.db.CreateUser(context.Background(), u); err != nil || u.ID <= 2 {
		t.Fatalf("new user after import: id %d, %v", u.ID, err)
	}
	// The key id recorded is the target's.
	if id, _ := b.db.Setting(context.Background(), "secret_key_id"); id != b.keys.CurrentID() {
		t.Fatalf("key id %s, want %s", id, b.keys.CurrentID())
	}
}

func TestImportRefusals(t *testing.T) {
	a := newInstance(t, "", secret.NewKey())
	populate(t, a)
	var buf bytes.Buffer
	if _, err := app.Export(context.Background(), a.db, &buf, nil); err != nil {
		t.Fatal(err)
	}
	export := buf.String()

	// Another key and no source key: refused, nothing written.
	other := newInstance(t, "", secret.NewKey())
	_, err := app.Import(context.Background(), other.db, strings.NewReader(export), other.keys, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "--source-key") {
		t.Fatalf("err = %v", err)
	}
	if n, _ := other.db.CountUsers(context.Background()); n != 0 {
		t.Fatalf("a refused import left %d users", n)
	}
	// A broken line in the middle: nothing written.
	lines := strings.SplitAfter(export, "\n")
	broken := strings.Join(lines[:4], "") + "{not json\n" + strings.Join(lines[4:], "")
	same := newInstance(t, "", a.keys.Keys()[0])
	if _, err := app.Import(context.Background(), same.db, strings.NewReader(broken), same.keys, nil, nil); err == nil {
		t.Fatal("a broken export was loaded")
	}
	if n, _ := same.db.CountUsers(context.Background()); n != 0 {
		t.Fatalf("a failed import left %d users", n)
	}
	// A target that is not empty: refused.
	if _, err := app.Import(context.Background(), a.db, strings.NewReader(export), a.keys, nil, nil); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("import into a used database: %v", err)
	}
}

// TestResealGitLabSource: key rotation re-seals a project's GitLab source
// token under the new key, which alone then opens it.
func TestResealGitLabSource(t *testing.T) {
	old := secret.NewKey()
	a := newInstance(t, "", old)
	populate(t, a)
	fresh := secret.NewKey()
	both, err := secret.NewKeyring(fresh, old)
	must(t, err)
	if _, err := app.Reseal(context.Background(), a.db, both, nil); err != nil {
		t.Fatal(err)
	}
	only, err := secret.NewKeyring(fresh)
	must(t, err)
	srcs, err := a.db.GitLabSources(context.Background())
	must(t, err)
	if len(srcs) != 1 || secret.SealedWith(srcs[0].SealedToken) != only.CurrentID() {
		t.Fatalf("sources after rotation: %+v", srcs)
	}
	if plain, err := only.Open(srcs[0].SealedToken, settings.GitLabSourceTokenAD); err != nil || plain != "glpat-source-token" {
		t.Errorf("the token opens to %q, %v", plain, err)
	}
}
