package e2e

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// setPassword runs "glint admin set-password" with the password on stdin.
func setPassword(t *testing.T, dir, username, stdin string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, glintBin, "admin", "set-password", "--username", username, "--data-dir", dir)
	cmd.Env = glintEnv(nil)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

// webSignIn signs in through the form over HTTP and reports the status of
// the POST (302 on success).
func webSignIn(t *testing.T, p *proc, login, password string) int {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(p.url("/users/sign_in"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	_, _ = readAll(&b, resp)
	m := regexp.MustCompile(`name="authenticity_token" value="([^"]+)"`).FindStringSubmatch(b.String())
	if m == nil {
		t.Fatalf("no sign-in form: %s", b.String())
	}
	resp, err = c.PostForm(p.url("/users/sign_in"), url.Values{"authenticity_token": {m[1]}, "user[login]": {login}, "user[password]": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func readAll(b *strings.Builder, resp *http.Response) (int64, error) {
	defer resp.Body.Close()
	return io.Copy(b, resp.Body)
}

// TestWebPasswords: the first start prints root's password beside the
// token and writes it to initial_root_password (0600); it signs in;
// "glint admin set-password" takes a new one from stdin (GitLab's minimum
// of 8 characters applies), after which only the new one signs in.
func TestWebPasswords(t *testing.T) {
	dir := t.TempDir()
	g := serve(t, "first", dir, nil)
	g.waitReady(15 * time.Second)
	m := rootPasswordRE.FindStringSubmatch(g.stdout.String())
	if m == nil {
		t.Fatalf("no password on stdout: %q", g.stdout.String())
	}
	fi, err := os.Stat(filepath.Join(dir, "initial_root_password"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("initial_root_password: %v %v", fi, err)
	}
	if code := webSignIn(t, g, "root", m[1]); code != http.StatusFound {
		t.Fatalf("sign in with the initial password: %d", code)
	}
	g.stop()

	if out, code := setPassword(t, dir, "root", "short\n"); code == 0 || !strings.Contains(out, "password is too short (minimum is 8 characters)") {
		t.Fatalf("a short password: exit %d, %q", code, out)
	}
	if out, code := setPassword(t, dir, "nobody", "long-enough-1\n"); code == 0 || !strings.Contains(out, `no user "nobody"`) {
		t.Fatalf("an unknown user: exit %d, %q", code, out)
	}
	if out, code := setPassword(t, dir, "root", "a-brand-new-password\n"); code != 0 {
		t.Fatalf("set-password: exit %d, %q", code, out)
	}
	g = serve(t, "restart", dir, nil)
	g.waitReady(15 * time.Second)
	if strings.Contains(g.stdout.String(), "password") {
		t.Errorf("a restart printed a password: %q", g.stdout.String())
	}
	if code := webSignIn(t, g, "root", m[1]); code != http.StatusUnauthorized {
		t.Fatalf("the old password: %d", code)
	}
	if code := webSignIn(t, g, "root", "a-brand-new-password"); code != http.StatusFound {
		t.Fatalf("the new password: %d", code)
	}
}
