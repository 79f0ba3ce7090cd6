// Package pushhook is the git server's side of "glint hook": the settings
// kept in the repository's git config, the post-receive hook script, the
// spool of events not yet accepted, and sending them to glint's intake.
//
// Payloads are built by internal/gitpush; this package adds the files and
// the network. It must not import the API, the store or any integration.
package pushhook

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"

	"github.com/glint-dev/glint/internal/gitpush"
)

// Section is the git config section of the hook's settings (glint.url,
// glint.project, ...).
const Section = "glint"

// DefaultTimeout bounds how long a push waits for glint.
const DefaultTimeout = 5 * time.Second

// Config is the hook's settings, as kept in git config.
type Config struct {
	URL     string // glint's base URL
	Project string // glint's project: an id or a full path
	Token   string // the project's intake token
	// WebURL, CommitURL, CompareURL and CloneURL say where the repository
	// browser shows the project (gitpush.Settings).
	WebURL, CommitURL, CompareURL, CloneURL string
	Timeout                                 time.Duration
}

// keys are the git config keys of the fields, in the order written.
var keys = []struct {
	key   string
	field func(*Config) *string
}{
	{"url", func(c *Config) *string { return &c.URL }},
	{"project", func(c *Config) *string { return &c.Project }},
	{"token", func(c *Config) *string { return &c.Token }},
	{"webUrl", func(c *Config) *string { return &c.WebURL }},
	{"commitUrl", func(c *Config) *string { return &c.CommitURL }},
	{"compareUrl", func(c *Config) *string { return &c.CompareURL }},
	{"cloneUrl", func(c *Config) *string { return &c.CloneURL }},
}

// Validate says what is wrong with the settings, naming the flag.
func (c Config) Validate() error {
	u, err := url.Parse(c.URL)
	switch {
	case c.URL == "":
		return errors.New("--url is required (glint's base URL)")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("--url %q is not an http(s) URL", c.URL)
	case c.Project == "" || strings.HasPrefix(c.Project, "/") || strings.HasSuffix(c.Project, "/"):
		return errors.New("--project is required: the project's id or full path (group/project)")
	case c.Token == "":
		return errors.New("--token is required: the project's intake token (glint admin intake-token)")
	case c.Timeout < 0:
		return fmt.Errorf("--timeout %s is negative", c.Timeout)
	}
	for _, f := range []struct{ flag, value string }{{"--web-url", c.WebURL}, {"--commit-url", c.CommitURL}, {"--compare-url", c.CompareURL}} {
		if f.value == "" {
			continue
		}
		if u, err := url.Parse(f.value); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%s %q is not an http(s) URL", f.flag, f.value)
		}
	}
	return nil
}

// Open opens the bare repository at dir.
func Open(dir string) (*git.Repository, error) {
	repo, err := git.PlainOpen(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: not a git repository: %w", dir, err)
	}
	cfg, err := repo.Config()
	if err != nil {
		return nil, fmt.Errorf("%s: reading git config: %w", dir, err)
	}
	if !cfg.Core.IsBare {
		return nil, fmt.Errorf("%s: not a bare repository", dir)
	}
	return repo, nil
}

// ReadConfig reads the glint section of the repository's git config.
func ReadConfig(repo *git.Repository) (Config, error) {
	raw, err := repo.Config()
	if err != nil {
		return Config{}, err
	}
	s := raw.Raw.Section(Section)
	var c Config
	for _, k := range keys {
		*k.field(&c) = s.Option(k.key)
	}
	c.Timeout = DefaultTimeout
	if t := s.Option("timeout"); t != "" {
		if c.Timeout, err = parseTimeout(t); err != nil {
			return c, fmt.Errorf("glint.timeout: %w", err)
		}
	}
	return c, nil
}

// parseTimeout reads a duration ("5s", "1500ms") or plain seconds ("5").
func parseTimeout(s string) (time.Duration, error) {
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Duration(n * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 5s", s)
	}
	return d, nil
}

// WriteConfig replaces the glint section of the repository's git config.
func WriteConfig(repo *git.Repository, c Config) error {
	raw, err := repo.Config()
	if err != nil {
		return err
	}
	raw.Raw.RemoveSection(Section)
	s := raw.Raw.Section(Section)
	for _, k := range keys {
		if v := *k.field(&c); v != "" {
			s.SetOption(k.key, v)
		}
	}
	s.SetOption("timeout", c.Timeout.String())
	return repo.SetConfig(raw)
}

// Settings are the payload settings of a repository at dir: the project
// named by id or by path, its name and description (gitweb's description
// file), and the pusher given.
func (c Config) Settings(dir string, pusher gitpush.Pusher) gitpush.Settings {
	s := gitpush.Settings{WebURL: c.WebURL, CommitURL: c.CommitURL, CompareURL: c.CompareURL, CloneURL: c.CloneURL, Pusher: pusher}
	if id, err := strconv.ParseInt(c.Project, 10, 64); err == nil && id > 0 {
		s.ProjectID = id
		s.Name = strings.TrimSuffix(filepath.Base(dir), ".git")
	} else {
		s.ProjectPath = c.Project
	}
	if b, err := os.ReadFile(filepath.Join(dir, "description")); err == nil {
		d := strings.TrimSpace(string(b))
		if !strings.HasPrefix(d, "Unnamed repository;") {
			s.Description = d
		}
	}
	return s
}
