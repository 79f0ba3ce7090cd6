package delivery

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/outbound"
	"github.com/glint-dev/glint/internal/secret"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
	"github.com/glint-dev/glint/internal/store/sqlstore"
)

// irkerDaemon listens on 127.0.0.1 as an irker daemon would and passes the
// lines of each connection to the returned channel.
func irkerDaemon(t *testing.T) (host, port string, got <-chan []string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	t.Cleanup(func() { ln.Close() })
	ch := make(chan []string, 4)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
				var lines []string
				sc := bufio.NewScanner(conn)
				for sc.Scan() {
					lines = append(lines, sc.Text())
				}
				ch <- lines
			}()
		}
	}()
	host, port, _ = net.SplitHostPort(ln.Addr().String())
	return host, port, ch
}

// TestIrkerDelivery: an irker service is delivered to over TCP by the
// unchanged delivery code: the attempt succeeds with status 0, and the
// "Test settings" endpoint reports success.
func TestIrkerDelivery(t *testing.T) {
	ctx := context.Background()
	host, port, got := irkerDaemon(t)
	st, err := sqlstore.OpenSQLite(filepath.Join(t.TempDir(), "glint.db"))
	must(t, err)
	t.Cleanup(func() { st.Close() })
	must(t, st.Migrate(ctx))
	keys, _ := secret.NewKeyring(secret.NewKey())
	u := &store.User{Username: "root", Name: "root", Email: "r@example.com"}
	must(t, st.CreateUser(ctx, u))
	p := &store.Project{Name: "demo", Path: "demo", NamespaceID: u.NamespaceID, CreatorID: u.ID}
	must(t, st.CreateProject(ctx, p))
	s, _ := catalog.Lookup("irker")
	c, err := settings.Decode(s, map[string]any{"recipients": "#glint", "default_irc_uri": "irc://irc.example.net/",
		"server_host": host, "server_port": port})
	must(t, err)
	_, err = st.UpdateService(ctx, p.ID, "irker", func(rec *store.Service) error {
		return settings.Apply(s, rec, c, keys, settings.Policy{AllowLocal: true})
	})
	must(t, err)
	push, err := os.ReadFile(filepath.Join("..", "event", "testdata", "push.json"))
	must(t, err)
	client := outbound.New(outbound.Options{AllowLocal: true, Timeout: 2 * time.Second})
	d := NewDeliverer(st, keys, client, Config{BaseURL: "https://glint.example.com"}, slog.New(slog.DiscardHandler), nil)

	receive := func() []string {
		t.Helper()
		select {
		case lines := <-got:
			return lines
		case <-time.After(5 * time.Second):
			t.Fatal("the daemon received nothing")
			return nil
		}
	}
	check := func(lines []string, first string) {
		t.Helper()
		if len(lines) == 0 || !strings.Contains(lines[0], first) {
			t.Fatalf("lines %q, want the first to hold %q", lines, first)
		}
		for _, l := range lines {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil || len(m) != 2 {
				t.Errorf("line %q: %v %v", l, m, err)
			}
			if to, _ := m["to"].([]any); len(to) != 1 || to[0] != "irc://irc.example.net/#glint" {
				t.Errorf("line %q: to %v", l, m["to"])
			}
		}
	}

	ds, _, err := st.CreateEvent(ctx, &store.Event{ProjectID: p.ID, Kind: "push", Header: "Push Hook", Payload: push}, []string{"irker"})
	must(t, err)
	res, err := d.Attempt(ctx, ds[0].ID)
	must(t, err)
	if res.Retry {
		t.Errorf("attempt asks for a retry: %+v", res)
	}
	dl, err := st.Delivery(ctx, ds[0].ID)
	must(t, err)
	if dl.Status != store.DeliveryDelivered || dl.LastError != "" {
		t.Errorf("delivery %s %q, want delivered", dl.Status, dl.LastError)
	}
	attempts, err := st.Attempts(ctx, dl.ID)
	must(t, err)
	if len(attempts) != 1 || attempts[0].StatusCode != 0 || attempts[0].Error != "" {
		t.Errorf("attempts %+v, want one with status 0 and no error", attempts)
	}
	// The payload's web_url names the GitLab the push came from.
	check(receive(), "[Diaspora] John Smith pushed 4 new commits to master: http://example.com/mike/diaspora/compare/95790bf8...da156088")

	out, err := d.Test(ctx, p, "irker", "root")
	must(t, err)
	if !out.Success || out.Requests != 1 || out.StatusCode != 0 || out.Error != "" {
		t.Errorf("test outcome %+v, want success", out)
	}
	check(receive(), "[demo] root pushed 1 new commit to master: https://glint.example.com/root/demo/compare/")

	// Without allow-local, the daemon on 127.0.0.1 is refused, for good.
	guarded := NewDeliverer(st, keys, outbound.New(outbound.Options{Timeout: 2 * time.Second}), Config{}, slog.New(slog.DiscardHandler), nil)
	out, err = guarded.Test(ctx, p, "irker", "root")
	must(t, err)
	if out.Success || !strings.Contains(out.Error, "blocked") {
		t.Errorf("test outcome %+v, want a blocked address", out)
	}
}
