package pushhook

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// SpoolDir is the directory, in the repository, of events not yet
// accepted by glint.
const SpoolDir = "glint-spool"

// RejectedDir is where, under SpoolDir, events glint refused as bad
// requests are kept (for a person to look at), so that they do not hold
// back those after them.
const RejectedDir = "rejected"

// Envelope is one spooled event: a webhook request to send. The URL and
// the token are not in it: they are read from git config when it is sent.
type Envelope struct {
	Header  string          `json:"header"` // X-Gitlab-Event
	UUID    string          `json:"uuid"`   // X-Gitlab-Event-UUID, the same on every resend
	Ref     string          `json:"ref"`
	Payload json.RawMessage `json:"payload"`
}

// Spool is the spool directory of one repository: one file per event,
// named so that the names sort in the order the events were made.
type Spool struct{ Dir string }

// NewSpool is the spool of the repository at repo.
func NewSpool(repo string) Spool { return Spool{Dir: filepath.Join(repo, SpoolDir)} }

var seq atomic.Uint32

// Add writes an event to the spool, whole or not at all, and returns its
// file's path.
func (s Spool) Add(e Envelope) (string, error) {
	if err := os.MkdirAll(s.Dir, 0o777); err != nil { // as the umask allows: shared repositories
		return "", err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return "", err
	}
	name := fmt.Sprintf("%020d-%05d-%s.json", time.Now().UnixNano(), seq.Add(1)%100000, e.UUID)
	path := filepath.Join(s.Dir, name)
	return path, writeFileAtomic(path, b, 0o644)
}

// List is the spooled events' files, oldest first.
func (s Spool) List() ([]string, error) {
	entries, err := os.ReadDir(s.Dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".json") && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, filepath.Join(s.Dir, e.Name()))
		}
	}
	slices.Sort(out)
	return out, nil
}

// Read reads one spooled event.
func (s Spool) Read(path string) (Envelope, error) {
	var e Envelope
	b, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(b, &e)
	}
	if err == nil && (e.Header == "" || e.UUID == "" || len(e.Payload) == 0) {
		err = fmt.Errorf("%s: not a spooled event", path)
	}
	return e, err
}

// Reject moves a spooled event out of the way, to RejectedDir.
func (s Spool) Reject(path string) error {
	dir := filepath.Join(s.Dir, RejectedDir)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return err
	}
	return os.Rename(path, filepath.Join(dir, filepath.Base(path)))
}
