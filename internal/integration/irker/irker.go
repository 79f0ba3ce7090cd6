// Package irker builds the messages of GitLab 12.5's "Irker (IRC gateway)"
// service (spec §8): for a push, a few IRC messages written as lines of
// JSON, {"to": [<channel URIs>], "privmsg": <text>}, over one TCP
// connection to the irker daemon at server_host:server_port (default
// localhost:6659), as GitLab's IrkerWorker sends them.
//
// Irker is not HTTP: Build returns one integration.Request with TCP set to
// the daemon's address and Body holding every line; the outbound client
// writes it through the guarded dialer, so the local-network policy
// applies (the default localhost needs "allow local requests").
//
// It knows events and the integration types; it must not import the API,
// the store or the delivery code.
package irker

import (
	"errors"
	"net"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

// The defaults of GitLab's IrkerService#settings, used when the setting is
// blank.
const (
	DefaultHost = "localhost"
	DefaultPort = "6659"
)

// maxCommits is how many commits get a message of their own (the limit of
// GitHub's IRC hook, which GitLab copied).
const maxCommits = 3

// mIRC formatting codes.
const (
	reset     = "\x0f"
	bold      = "\x02"
	underline = "\x1f"
	red       = "\x0304" // repository name
	brown     = "\x0305" // branch
	blue      = "\x0302" // URLs, with underline
	grey      = "\x0314" // commit id
	lightBlue = "\x0312" // file count
)

// errNoChannels: GitLab refuses to save such a service ("recipients are all
// invalid"); glint may hold one from before, and cannot send for it.
var errNoChannels = errors.New("irker: the recipients are all invalid (no irc:// or ircs:// channel)")

// Build returns the request that writes the push's messages to the irker
// daemon, or none for other events and pushes without a message. settings
// are the service's resolved properties.
func Build(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	// GitLab's IrkerService#execute acts on object_kind "push" only: tag
	// pushes send nothing.
	if ev.Kind != event.Push || ev.Push == nil {
		return nil, nil
	}
	cfg, err := catalog.Decode[Settings]("irker", settings)
	if err != nil {
		return nil, err
	}
	channels := Channels(cfg.Recipients, cfg.DefaultIRCURI)
	if len(channels) == 0 {
		return nil, errNoChannels
	}
	msgs := Messages(ev.Push, p, cfg.ColorizeMessages)
	if len(msgs) == 0 {
		return nil, nil
	}
	body, err := Body(channels, msgs)
	if err != nil {
		return nil, err
	}
	return []integration.Request{{TCP: cfg.address(), Body: body}}, nil
}

// Settings are the service's properties, decoded by catalog.Decode:
// recipients and default_irc_uri as set (nil for no default URI), the
// server's host and port as text (a port may be stored as a number).
type Settings struct {
	Recipients       string  `field:"recipients,asis"`
	DefaultIRCURI    *string `field:"default_irc_uri,asis"`
	ColorizeMessages bool    `field:"colorize_messages"`
	ServerHost       string  `field:"server_host,text"`
	ServerPort       string  `field:"server_port,text"`
}

// Address is the daemon's "host:port": server_host and server_port, each
// defaulted when blank as GitLab's IrkerService#settings does.
func Address(settings map[string]any) string {
	cfg, _ := catalog.Decode[Settings]("irker", settings) // Check in the registry's tests
	return cfg.address()
}

func (cfg Settings) address() string {
	host := strings.TrimSpace(cfg.ServerHost)
	if host == "" {
		host = DefaultHost
	}
	port := strings.TrimSpace(cfg.ServerPort)
	if port == "" {
		port = DefaultPort
	}
	return net.JoinHostPort(host, port)
}

// Channels turns the recipients setting into channel URIs as GitLab's
// IrkerService does when it saves the service: catalog.IrkerChannels, which
// also decides whether a PUT is valid, so that what is accepted is sent.
func Channels(recipients string, defaultURI *string) []string {
	return catalog.IrkerChannels(recipients, defaultURI)
}

// refPrefix is what GitLab strips from a ref, wherever it occurs: the
// worker replaces every match of %r{refs/[^/]*/} with nothing.
var refPrefix = regexp.MustCompile(`refs/[^/]*/`)

// Messages are the IRC messages GitLab's IrkerWorker sends for a push, in
// order (spec §8):
//
//  1. on a new branch, "[<repo>] <committer> has created a new branch
//     <branch>: <project URL>/branches";
//     on a deleted branch, "[<repo>] <committer> has deleted the branch
//     <branch>";
//  2. when total_commits_count is not 0, "[<repo>] <committer> pushed <n>
//     new commit(s) to <branch>: <project URL>/compare/<before>...<after>"
//     (ids cut to 8 characters);
//  3. for each of the first 3 commits of the payload, "<repo>/<branch>
//     <sha> <author> (<n> file(s)): <title>".
//
// repo is the payload's repository name, committer its user_name, and the
// project URL glint's (as GitLab uses its own URL). With colors, mIRC codes
// colour the repository, branch, URLs, ids, file counts and commit count.
//
// GitLab reads two things from the repository that glint does not hold: on
// a new branch it compares from the parent of the first commit (glint
// keeps the payload's before, all zeros), and it counts a commit's files
// from its diff (glint counts the payload's added, modified and removed
// paths). A commit's title is taken from its message as GitLab's
// Commit#title does.
func Messages(e *event.PushEvent, p integration.Project, colors bool) []string {
	paint := func(code, s string) string {
		if colors {
			return code + s + reset
		}
		return s
	}
	repo := paint(red, e.Repository.Name)
	branch := paint(brown, refPrefix.ReplaceAllString(e.Ref, ""))
	committer := e.UserName
	// IrkerWorker builds its links on Gitlab.config.gitlab.url: the
	// GitLab the push came from, whose project page is the payload's
	// web_url (glint has no such pages).
	projectURL := e.ProjectWebURL()
	if projectURL == "" {
		projectURL = p.WebURL
	}

	var msgs []string
	switch {
	case e.Before == event.BlankSHA:
		msgs = append(msgs, "["+repo+"] "+committer+" has created a new branch "+branch+": "+
			paint(blue+underline, projectURL+"/branches"))
	case e.After == event.BlankSHA:
		msgs = append(msgs, "["+repo+"] "+committer+" has deleted the branch "+branch)
	}
	if e.TotalCommitsCount == 0 {
		return msgs
	}
	commits := "new commit"
	if e.TotalCommitsCount > 1 {
		commits += "s"
	}
	compare := projectURL + "/compare/" + truncateSHA(e.Before) + "..." + truncateSHA(e.After)
	msgs = append(msgs, "["+repo+"] "+committer+" pushed "+paint(bold, strconv.Itoa(e.TotalCommitsCount))+" "+commits+
		" to "+branch+": "+paint(blue+underline, compare))
	for _, c := range e.Commits[:min(len(e.Commits), maxCommits)] {
		n := len(c.Added) + len(c.Modified) + len(c.Removed)
		files := strconv.Itoa(n) + " file"
		if n > 1 {
			files += "s"
		}
		msgs = append(msgs, repo+"/"+branch+" "+paint(grey, truncateSHA(c.ID))+" "+c.Author.Name+
			" ("+paint(lightBlue, files)+"): "+CommitTitle(c.Message))
	}
	return msgs
}

// truncateSHA is GitLab's Commit.truncate_sha: the first 8 characters.
func truncateSHA(sha string) string {
	if len(sha) > 8 {
		return sha[:8]
	}
	return sha
}

// CommitTitle is GitLab 12.5's Commit#title: the message's first line
// (up to a CR or LF), "--no commit message" when the message is blank,
// and, from 100 characters on, cut at the last space within the first 80
// characters (or at 80) with "…" appended.
func CommitTitle(message string) string {
	message = strings.ToValidUTF8(message, "\uFFFD")
	full := message
	if strings.TrimSpace(message) == "" {
		full = "--no commit message"
	} else if i := strings.IndexAny(message, "\r\n"); i >= 0 {
		full = message[:i]
	}
	if utf8.RuneCountInString(full) < 100 {
		return full
	}
	const room = 80 // truncate(81, omission: "…"): 81 minus the omission
	runes := []rune(full)
	stop := room
	for i := min(room, len(runes)-1); i >= 0; i-- {
		if runes[i] == ' ' {
			stop = i
			break
		}
	}
	return string(runes[:stop]) + "…"
}

// line is one message to the daemon, keys in GitLab's order.
type line struct {
	To      []string `json:"to"`
	Privmsg string   `json:"privmsg"`
}

// Body is what is written to the daemon: for each message, the JSON of
// {"to": channels, "privmsg": message} as Ruby's JSON.dump writes it,
// then a newline.
func Body(channels []string, msgs []string) ([]byte, error) {
	var out []byte
	for _, m := range msgs {
		js, err := integration.JSON(line{To: channels, Privmsg: m})
		if err != nil {
			return nil, err
		}
		out = append(append(out, js...), '\n')
	}
	return out, nil
}
