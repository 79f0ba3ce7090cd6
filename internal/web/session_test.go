package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/app"
	"github.com/glint-dev/glint/internal/store/storetest/pgtest"
)

// TestSignIn: GitLab's form signs in by username or email; a wrong
// password is refused with GitLab's message; the session cookie is
// HttpOnly and SameSite=Lax; every page carries the security headers;
// sign-out, a password change and expiry end the session.
func TestSignIn(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, envOptions{})
		b := e.browser()

		p := b.must(http.StatusFound, "/root/x/-/settings/integrations")
		if loc := p.header.Get("Location"); loc != "/users/sign_in?redirect_to=%2Froot%2Fx%2F-%2Fsettings%2Fintegrations" {
			t.Fatalf("anonymous: redirected to %q", loc)
		}
		form := b.must(200, "/users/sign_in")
		for _, want := range []string{`name="user[login]"`, `name="user[password]"`, `<label for="user_login">`, `<label for="user_password">`} {
			if !strings.Contains(form.body, want) {
				t.Errorf("sign-in form lacks %s", want)
			}
		}
		for h, want := range map[string]string{
			"X-Frame-Options": "DENY", "Referrer-Policy": "strict-origin-when-cross-origin",
			"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		} {
			if got := form.header.Get(h); got != want {
				t.Errorf("%s: %q, want %q", h, got, want)
			}
		}

		bad := b.trySignIn("root", "wrong-password")
		if bad.status != http.StatusUnauthorized || !strings.Contains(bad.body, "Invalid login or password.") {
			t.Fatalf("wrong password: %d\n%s", bad.status, bad.body)
		}
		if unknown := b.trySignIn("nobody", "whatever1"); unknown.status != http.StatusUnauthorized {
			t.Fatalf("unknown user: %d", unknown.status)
		}

		signIn := b.must(200, "/users/sign_in")
		ok := b.submit(signIn, "/users/sign_in", url.Values{"user[login]": {"admin@example.com"}, "user[password]": {e.rootPW},
			"redirect_to": {"/root"}})
		if ok.status != http.StatusFound || ok.header.Get("Location") != "/root" {
			t.Fatalf("sign in by email: %d %q", ok.status, ok.header.Get("Location"))
		}
		cookie := ""
		for _, c := range ok.header.Values("Set-Cookie") {
			if strings.HasPrefix(c, "_gitlab_session=") {
				cookie = c
			}
		}
		if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") || strings.Contains(cookie, "Secure") {
			t.Fatalf("session cookie %q", cookie)
		}
		home := b.must(200, "/")
		if !strings.Contains(home.body, "@root") || !strings.Contains(home.body, "Projects") {
			t.Fatalf("home after sign-in:\n%s", home.body)
		}

		// Sign out ends the session.
		out := b.submit(home, "/users/sign_out", nil)
		if out.status != http.StatusFound || out.header.Get("Location") != "/users/sign_in" {
			t.Fatalf("sign out: %d %q", out.status, out.header.Get("Location"))
		}
		b.must(http.StatusFound, "/")

		// A password change ends every session of the user.
		b.signIn("root", e.rootPW)
		b.must(200, "/")
		if err := app.SetPassword(context.Background(), e.st, "root", "a-new-password"); err != nil {
			t.Fatal(err)
		}
		b.must(http.StatusFound, "/")
		if p := b.trySignIn("root", e.rootPW); p.status != http.StatusUnauthorized {
			t.Fatalf("old password after the change: %d", p.status)
		}
		b.signIn("root", "a-new-password")
		b.must(200, "/")

		// Expiry: a week later the session is gone.
		e.clock.set(time.Now().Add(7*24*time.Hour + time.Minute))
		b.must(http.StatusFound, "/")

		// An open redirect is not followed.
		e.clock.set(time.Time{})
		signIn = b.must(200, "/users/sign_in")
		ok = b.submit(signIn, "/users/sign_in", url.Values{"user[login]": {"root"}, "user[password]": {"a-new-password"}, "redirect_to": {"//evil.example/"}})
		if ok.header.Get("Location") != "/" {
			t.Fatalf("redirect_to //evil: %q", ok.header.Get("Location"))
		}
	})
}

// TestSecureCookie: with an https base URL the cookies are Secure.
func TestSecureCookie(t *testing.T) {
	e := newEnv(t, "sqlite", envOptions{baseURL: "https://glint.example"})
	b := e.browser()
	p := b.trySignIn("root", e.rootPW)
	if p.status != http.StatusFound {
		t.Fatalf("sign in: %d", p.status)
	}
	for _, c := range p.header.Values("Set-Cookie") {
		if !strings.Contains(c, "; Secure") {
			t.Errorf("cookie without Secure: %q", c)
		}
	}
}

// TestSignInRateLimit: after the allowed failures, the account is refused
// (429) even with the right password, from any address; another account
// still signs in until the address's own limit.
func TestSignInRateLimit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, envOptions{limits: [2]int{3, 5}})
		e.user("alice", 0, 0)
		b := e.browser()
		for range 3 {
			if p := b.trySignIn("root", "wrong-password"); p.status != http.StatusUnauthorized {
				t.Fatalf("failure: %d", p.status)
			}
		}
		p := b.trySignIn("root", e.rootPW)
		if p.status != http.StatusTooManyRequests || !strings.Contains(p.body, "Too many failed sign-in attempts") {
			t.Fatalf("after 3 failures: %d\n%s", p.status, p.body)
		}
		// alice is another account: allowed, and success clears nothing of root's.
		b.signIn("alice", "alice-password")
		if p := e.browser().trySignIn("root", e.rootPW); p.status != http.StatusTooManyRequests {
			t.Fatalf("root from a new browser: %d", p.status)
		}
		// The address: 2 more failures on another account reach its limit of 5.
		for range 2 {
			b.trySignIn("alice", "wrong-password")
		}
		if p := b.trySignIn("alice", "alice-password"); p.status != http.StatusTooManyRequests {
			t.Fatalf("after 5 failures from the address: %d", p.status)
		}
		// The window passes.
		e.clock.set(time.Now().Add(11 * time.Minute))
		b.signIn("root", e.rootPW)
	})
}

// TestCSRF: a form posted without its token, or with another session's, is
// refused (422) and changes nothing; the sign-in form needs its token too.
func TestCSRF(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, envOptions{})
		p := e.project("demo")
		b := e.browser()
		b.signIn("root", e.rootPW)
		edit := b.must(200, "/root/demo/-/settings/integrations/slack/edit")
		form := url.Values{"active": {"true"}, "webhook": {"http://127.0.0.1:9/hook"}}
		if r := b.do("POST", "/root/demo/-/settings/integrations/slack", form); r.status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.body, "The change you requested was rejected.") {
			t.Fatalf("no token: %d\n%s", r.status, r.body)
		}
		other := e.browser()
		other.signIn("root", e.rootPW)
		otherToken := other.must(200, "/").token(t)
		form.Set("authenticity_token", otherToken)
		if r := b.do("POST", "/root/demo/-/settings/integrations/slack", form); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("another session's token: %d", r.status)
		}
		if _, err := e.st.Service(context.Background(), p.ID, "slack"); err == nil {
			t.Fatal("a refused form stored the service")
		}
		if r := b.submit(edit, "/root/demo/-/settings/integrations/slack", url.Values{"active": {"true"}, "webhook": {"http://127.0.0.1:9/hook"}}); r.status != http.StatusSeeOther {
			t.Fatalf("with its token: %d\n%s", r.status, r.body)
		}
		// Sign-in without the form's token.
		fresh := e.browser()
		r := fresh.do("POST", "/users/sign_in", url.Values{"user[login]": {"root"}, "user[password]": {e.rootPW}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("sign-in without a token: %d", r.status)
		}
	})
}

// TestSessionsTwoNodes: two nodes on one PostgreSQL database share the
// sessions: signed in on one, known on the other; signed out on the other,
// gone on the first.
func TestSessionsTwoNodes(t *testing.T) {
	pgtest.AdminURL(t)
	a := newEnv(t, "postgres", envOptions{})
	a.project("demo")
	b := newEnv(t, "postgres", envOptions{cfg: &a.cfg})
	br := a.browser()
	br.signIn("root", a.rootPW)
	home := br.must(200, "/root/demo")
	// The same cookie jar, now talking to node b.
	br.base = b.srv.URL
	jarCopy(t, br, a.srv.URL, b.srv.URL)
	onB := br.must(200, "/root/demo/-/settings/integrations")
	if !strings.Contains(onB.body, "Integrations") {
		t.Fatalf("node b:\n%s", onB.body)
	}
	if r := br.submit(home, "/users/sign_out", nil); r.status != http.StatusFound {
		t.Fatalf("sign out on b: %d", r.status)
	}
	br.base = a.srv.URL
	br.must(http.StatusFound, "/")
}

// jarCopy gives the browser's cookies for one server to another (both are
// 127.0.0.1, on other ports: cookies do not care about ports, but the jar
// keys them by host, so this is the same jar entry).
func jarCopy(t *testing.T, b *browser, from, to string) {
	f, _ := url.Parse(from)
	tu, _ := url.Parse(to)
	b.client.Jar.SetCookies(tu, b.client.Jar.Cookies(f))
}
