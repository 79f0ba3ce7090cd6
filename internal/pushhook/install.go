package pushhook

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
)

// marker is in every hook script Install writes: a hook holding it is
// glint's and may be rewritten; any other is kept and chained.
const marker = "# glint-hook: installed by \"glint hook install\""

// ChainedName is where Install moves the post-receive hook it finds.
const ChainedName = "post-receive.glint-chained"

// Installed is what Install did.
type Installed struct {
	Hook    string // the hook script written
	Chained string // the hook that was there before, now run after glint's; "" if none
}

// Install stores c in the bare repository's git config and writes its
// post-receive hook, which runs glint (the binary at glint) and then the
// hook that was there before, with the same input; that hook's exit
// status stays the script's. Running it again updates the settings and
// the script, and keeps the chained hook.
func Install(dir string, c Config, glint string) (Installed, error) {
	if err := c.Validate(); err != nil {
		return Installed{}, err
	}
	repo, err := Open(dir)
	if err != nil {
		return Installed{}, err
	}
	hooks, err := hooksDir(repo, dir)
	if err != nil {
		return Installed{}, err
	}
	if err := os.MkdirAll(hooks, 0o755); err != nil {
		return Installed{}, err
	}
	in := Installed{Hook: filepath.Join(hooks, "post-receive")}
	chained := filepath.Join(hooks, ChainedName)
	existing, err := os.ReadFile(in.Hook)
	switch {
	case err == nil && !strings.Contains(string(existing), marker):
		if _, err := os.Stat(chained); err == nil {
			return Installed{}, fmt.Errorf("%s exists and so does %s: move one of them away first", in.Hook, chained)
		}
		if err := os.Rename(in.Hook, chained); err != nil {
			return Installed{}, err
		}
	case err != nil && !os.IsNotExist(err):
		return Installed{}, err
	}
	if _, err := os.Stat(chained); err == nil {
		in.Chained = chained
	}
	if err := WriteConfig(repo, c); err != nil {
		return Installed{}, fmt.Errorf("writing git config: %w", err)
	}
	if err := writeFileAtomic(in.Hook, []byte(script(glint)), 0o755); err != nil {
		return Installed{}, err
	}
	return in, nil
}

// hooksDir is core.hooksPath when the repository sets it, else hooks/.
func hooksDir(repo *git.Repository, dir string) (string, error) {
	cfg, err := repo.Config()
	if err != nil {
		return "", err
	}
	p := cfg.Raw.Section("core").Option("hooksPath")
	switch {
	case p == "":
		return filepath.Join(dir, "hooks"), nil
	case filepath.IsAbs(p):
		return p, nil
	}
	return filepath.Join(dir, p), nil
}

// script is the post-receive hook: glint's part never fails the hook, and
// the chained hook's status is the script's.
func script(glint string) string {
	return "#!/bin/sh\n" + marker + `; sends each push to glint.
# The post-receive hook that was here before, if any, is ` + ChainedName + `:
# it gets the same input after glint, and its exit status is this hook's.
# Settings: git config --get-regexp '^glint\.'  (see glint's docs/git-hook.md)
input=$(cat)
printf '%s\n' "$input" | ` + shellQuote(glint) + ` hook post-receive
chained="$(dirname "$0")/` + ChainedName + `"
if [ -x "$chained" ]; then
	printf '%s\n' "$input" | "$chained" "$@"
fi
`
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeFileAtomic writes a file whole or not at all: a temporary file in
// the same directory, synced, then renamed over path.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, perm)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
