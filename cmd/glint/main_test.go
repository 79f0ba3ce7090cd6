package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/store/storetest/pgtest"
)

// glint runs the command line in process and returns its exit code and
// outputs.
func glint(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// clearEnv unsets every GLINT_ variable of glint's for the test (not the
// tests' own GLINT_TEST_ ones, such as the PostgreSQL server to use).
func clearEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "GLINT_") && !strings.HasPrefix(name, "GLINT_TEST_") {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
}

var helpFlag = regexp.MustCompile(`(?m)^  --([a-z0-9-]+)(?: (\S+))?\n(?:    \t.*\n)*?    \t.*\(env (GLINT_[A-Z0-9_]+)`)

// serveFlags reads serve's flags, their value types and variables from its
// --help.
func serveFlags(t *testing.T) map[string][2]string {
	code, out, _ := glint(t, "serve", "--help")
	if code != 0 {
		t.Fatalf("serve --help exited %d", code)
	}
	flags := map[string][2]string{}
	for _, m := range helpFlag.FindAllStringSubmatch(out, -1) {
		flags[m[1]] = [2]string{m[2], m[3]}
	}
	if n := strings.Count(out, "\n  --"); n != len(flags) || n < 10 {
		t.Fatalf("%d flags in serve --help, %d with a variable:\n%s", n, len(flags), out)
	}
	return flags
}

// TestEnvIsStrict: a variable that does not parse stops glint with exit 2,
// naming the variable and the form expected (issue 12: these ran with the
// default, silently).
func TestEnvIsStrict(t *testing.T) {
	cases := []struct{ name, value, want string }{
		{"GLINT_REQUEST_TIMEOUT", "45", `GLINT_REQUEST_TIMEOUT="45" is not valid: expected a duration with its unit, such as 30s, 5m or 1h30m (it sets --request-timeout)`},
		{"GLINT_DELIVERY_MAX_ATTEMPTS", "ten", `GLINT_DELIVERY_MAX_ATTEMPTS="ten" is not valid: expected a whole number (it sets --delivery-max-attempts)`},
		{"GLINT_ALLOW_LOCAL_REQUESTS", "yes", `GLINT_ALLOW_LOCAL_REQUESTS="yes" is not valid: expected true or false (it sets --allow-local-requests)`},
		{"GLINT_DB_POOL_SIZE", "0", `--db-pool-size (GLINT_DB_POOL_SIZE) is 0: it must be more than 0`},
		{"GLINT_DELIVERY_TIMEOUT", "-5s", `--delivery-timeout (GLINT_DELIVERY_TIMEOUT) is -5s: it must be more than 0s`},
		{"GLINT_LOG_FORMAT", "xml", `--log-format (GLINT_LOG_FORMAT) is "xml": it must be json or text`},
		{"GLINT_ENDPOINT_OVERRIDES", "nonsense", `GLINT_ENDPOINT_OVERRIDES="nonsense" is not valid:`},
		{"GLINT_SHUTDOWN_TIMEOUT", "soon", `GLINT_SHUTDOWN_TIMEOUT="soon" is not valid: expected a duration`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv("GLINT_DATA_DIR", filepath.Join(t.TempDir(), "never-created"))
			t.Setenv(c.name, c.value)
			code, _, stderr := glint(t, "serve")
			if code != 2 || !strings.Contains(stderr, "glint: "+c.want) {
				t.Fatalf("exit %d, stderr %q\nwant 2 and %q", code, stderr, c.want)
			}
			if _, err := os.Stat(os.Getenv("GLINT_DATA_DIR")); err == nil {
				t.Fatal("a refused configuration created the data directory")
			}
		})
	}
	t.Run("command line wins", func(t *testing.T) {
		clearEnv(t)
		t.Setenv("GLINT_LOG_FORMAT", "xml")
		t.Setenv("GLINT_DATA_DIR", filepath.Join(t.TempDir(), "never-created"))
		t.Setenv("GLINT_DB_POOL_SIZE", "-1")
		code, _, stderr := glint(t, "serve", "--log-format", "text", "--db-pool-size", "3", "--request-timeout", "0s")
		if code != 2 || !strings.Contains(stderr, "--request-timeout (GLINT_REQUEST_TIMEOUT) is 0s") {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
	})
}

// TestEveryServeFlagReadsItsVariable: every flag of serve has a GLINT_
// variable (its --help says which), and every flag with a typed value
// reads it strictly: a new flag is covered by being registered.
func TestEveryServeFlagReadsItsVariable(t *testing.T) {
	clearEnv(t)
	for name, f := range serveFlags(t) {
		kind, env := f[0], f[1]
		if kind == "" || kind == "string" || strings.Contains(kind, "TO") {
			continue // texts take anything; checked where they are used
		}
		t.Run(name, func(t *testing.T) {
			t.Setenv("GLINT_DATA_DIR", filepath.Join(t.TempDir(), "never-created"))
			t.Setenv(env, "not-a-"+kind)
			code, _, stderr := glint(t, "serve")
			if code != 2 || !strings.Contains(stderr, env+`="not-a-`+kind+`" is not valid`) {
				t.Fatalf("%s: exit %d, stderr %q", env, code, stderr)
			}
		})
	}
}

// TestREADMEFlagTable: the README's configuration table lists exactly
// serve's flags, each with its variable.
func TestREADMEFlagTable(t *testing.T) {
	clearEnv(t)
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `--([a-z0-9-]+)` \\| `(GLINT_[A-Z0-9_]+)` \\|")
	documented := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		documented[m[1]] = m[2]
	}
	flags := serveFlags(t)
	for name, f := range flags {
		if documented[name] != f[1] {
			t.Errorf("README: --%s should be listed with %s (has %q)", name, f[1], documented[name])
		}
	}
	for name := range documented {
		if _, ok := flags[name]; !ok {
			t.Errorf("README lists --%s, which serve does not have", name)
		}
	}
}

// TestHelpEverywhere: every command and subcommand answers --help, -h and
// help on stdout with exit 0.
func TestHelpEverywhere(t *testing.T) {
	clearEnv(t)
	var cmds [][]string
	for _, c := range [][]string{{}, {"serve"}, {"migrate"}, {"migrate", "up"}, {"migrate", "down"}, {"migrate", "status"}, {"admin"}, {"version"}} {
		for _, h := range []string{"--help", "-h", "help"} {
			cmds = append(cmds, append(slices.Clone(c), h))
		}
	}
	for name := range adminCommands {
		cmds = append(cmds, []string{"admin", name, "--help"}, []string{"admin", name, "help"})
	}
	cmds = append(cmds, []string{"help", "serve"}, []string{"help", "admin"})
	for _, args := range cmds {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Setenv("GLINT_DATA_DIR", filepath.Join(t.TempDir(), "never-created"))
			code, stdout, stderr := glint(t, args...)
			if code != 0 || !strings.Contains(stdout, "Usage") || stderr != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
		})
	}
}

// TestStrayArguments: an argument no command takes is refused, exit 2.
func TestStrayArguments(t *testing.T) {
	clearEnv(t)
	for _, args := range [][]string{
		{"serve", "extra"}, {"serve", "--listen", "127.0.0.1:0", "extra"}, {"migrate", "status", "extra"},
		{"admin", "rotate-key", "now"}, {"version", "extra"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Setenv("GLINT_DATA_DIR", filepath.Join(t.TempDir(), "never-created"))
			code, _, stderr := glint(t, args...)
			if code != 2 || !strings.Contains(stderr, `unexpected argument "`+args[len(args)-1]+`"`) {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
		})
	}
}

// TestMigrateStatusMissingDataDir: status (and down) on a data directory
// that does not exist say so and create nothing.
func TestMigrateStatusMissingDataDir(t *testing.T) {
	clearEnv(t)
	dir := filepath.Join(t.TempDir(), "missing")
	for _, verb := range []string{"status", "down"} {
		code, _, stderr := glint(t, "migrate", verb, "--data-dir", dir, "--yes")
		if code != 1 || !strings.Contains(stderr, "glint: the data directory "+dir+" does not exist: there is no database") {
			t.Fatalf("migrate %s: exit %d, stderr %q", verb, code, stderr)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("migrate %s created %s", verb, dir)
		}
	}
	empty := t.TempDir()
	if code, _, stderr := glint(t, "migrate", "status", "--data-dir", empty); code != 1 || !strings.Contains(stderr, "there is no database in "+empty) {
		t.Fatalf("empty directory: exit %d, stderr %q", code, stderr)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Fatalf("migrate status wrote %v", entries)
	}
}

// TestMigrateDownAsks: down needs --yes, or "yes" typed on a terminal.
func TestMigrateDownAsks(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	if code, _, stderr := glint(t, "migrate", "up", "--data-dir", dir); code != 0 {
		t.Fatalf("up: %s", stderr)
	}
	terminal := false
	stdinIsTerminal = func() bool { return terminal }
	t.Cleanup(func() { stdin, stdinIsTerminal = os.Stdin, func() bool { return false } })

	code, stdout, stderr := glint(t, "migrate", "down", "--data-dir", dir)
	if code != 2 || !strings.Contains(stderr, "run it again with --yes to confirm") || stdout != "" {
		t.Fatalf("no terminal: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	terminal = true
	stdin = strings.NewReader("no\n")
	code, stdout, stderr = glint(t, "migrate", "down", "--data-dir", dir)
	if code != 1 || !strings.Contains(stderr, "Type yes to go on") || !strings.Contains(stderr, "not confirmed, nothing rolled back") || stdout != "" {
		t.Fatalf("answered no: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	stdin = strings.NewReader("yes\n")
	if code, stdout, _ = glint(t, "migrate", "down", "--data-dir", dir); code != 0 || !strings.HasPrefix(stdout, "rolled back ") {
		t.Fatalf("answered yes: exit %d, stdout %q", code, stdout)
	}
	terminal = false
	if code, stdout, _ = glint(t, "migrate", "down", "--data-dir", dir, "--yes"); code != 0 || !strings.HasPrefix(stdout, "rolled back ") {
		t.Fatalf("--yes: exit %d, stdout %q", code, stdout)
	}
}

// TestMigrateUpDownUp: every migration rolls back and applies again, on
// SQLite and PostgreSQL.
func TestMigrateUpDownUp(t *testing.T) {
	clearEnv(t)
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			where := []string{"--data-dir", t.TempDir()}
			if engine == "postgres" {
				where = []string{"--database", pgtest.Postgres(t)}
			}
			migrate := func(verb string, extra ...string) string {
				code, stdout, stderr := glint(t, append(append([]string{"migrate", verb}, where...), extra...)...)
				if code != 0 {
					t.Fatalf("migrate %s: exit %d: %s", verb, code, stderr)
				}
				return stdout
			}
			first := migrate("up")
			applied := strings.Count(first, "applied ")
			if applied < 3 {
				t.Fatalf("up applied %d migrations:\n%s", applied, first)
			}
			for i := range applied {
				if out := migrate("down", "--yes"); !strings.HasPrefix(out, "rolled back ") {
					t.Fatalf("down %d: %q", i, out)
				}
			}
			if out := migrate("down", "--yes"); out != "nothing to roll back\n" {
				t.Fatalf("down past the first: %q", out)
			}
			if again := migrate("up"); strings.Count(again, "applied ") != applied {
				t.Fatalf("up again applied %d, want %d:\n%s", strings.Count(again, "applied "), applied, again)
			}
			if status := migrate("status"); strings.Count(status, "applied") != applied || strings.Contains(status, "pending") {
				t.Fatalf("status after up, down, up:\n%s", status)
			}
		})
	}
}

// TestPlainErrors: errors say what is wrong in words, not the store's
// sentinel text.
func TestPlainErrors(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"admin", "create-token", "--username", "nobody"}, "glint: user nobody does not exist\n"},
		{[]string{"admin", "intake-token", "--project", "42"}, "glint: project 42 does not exist\n"},
		{[]string{"admin", "create-user", "--username", "root", "--email", "r@example.com"}, "glint: user root already exists\n"},
	} {
		if c.args[1] == "create-user" {
			glint(t, "admin", "create-user", "--username", "root", "--email", "r@example.com", "--data-dir", dir)
		}
		code, _, stderr := glint(t, append(c.args, "--data-dir", dir)...)
		if code != 1 || stderr != c.want {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, stderr, c.want)
		}
	}
}

// TestExportFailsOnAFullDisk: an export that could not be written whole
// is an error, not "exported".
func TestExportFailsOnAFullDisk(t *testing.T) {
	clearEnv(t)
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Fatal("/dev/full is needed:", err)
	}
	dir := t.TempDir()
	glint(t, "admin", "create-user", "--username", "u", "--email", "u@example.com", "--data-dir", dir)
	code, _, stderr := glint(t, "admin", "export", "--file", "/dev/full", "--data-dir", dir)
	if code != 1 || !strings.Contains(stderr, "no space left on device") || strings.Contains(stderr, "\rexported") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}
