// Package catalog describes the 32 GitLab project services as data: their
// slugs, titles, fields, secrets, defaults and the events they want.
//
// It is the only place a field list lives. Routing, parameter decoding,
// validation, the JSON entity and docs/services.md are all derived from it.
// It imports nothing of glint.
package catalog

import (
	"slices"
	"sort"
	"strings"
	"sync"
)

// Type is the declared type of a parameter, which decides how a value sent as
// JSON, form or query string is coerced.
type Type int

const (
	// String accepts any scalar and stores its text.
	String Type = iota
	// Bool accepts true/false and their usual spellings ("1", "t", "yes", ...).
	Bool
	// Int accepts integral numbers and digit strings.
	Int
)

func (t Type) String() string {
	switch t {
	case Bool:
		return "boolean"
	case Int:
		return "integer"
	default:
		return "string"
	}
}

// Field is one configurable property of a service.
type Field struct {
	Name     string
	Type     Type
	Required bool // missing on PUT -> 400 "<name> is missing", as Grape's requires
	// Secret values are sealed at rest and never returned nor logged.
	Secret bool
	// URL fields must hold an http(s) URL that does not point at the local
	// network unless the admin allows it (GitLab's public_url validator).
	URL bool
	// Default is the value a new service starts with; nil means unset.
	Default any
	// Values, when set, lists the accepted values (Grape's values:).
	Values []string
	// Internal fields are stored and honoured but, as in GitLab, are not
	// among the form fields, so they never appear in "properties".
	Internal bool
	// Undeclared fields are the model's but not parameters of GitLab's
	// API: a PUT ignores them, as Grape ignores what it does not declare,
	// and the model's default is what is honoured (HipChat's
	// notify_only_broken_pipelines).
	Undeclared bool
	Help       string
	// MaxLength bounds a text value, in characters; 0 is MaxTextLength.
	MaxLength int
	// Check, when set, validates a text value of an active service beyond
	// its type: the message GitLab's model would give ("is not included
	// in the list"), or "" when the value is good.
	Check func(v string) string
	// CheckInt is Check for an integer field.
	CheckInt func(v int64) string
	// Example is a value the rules accept, for tests and docs, where an
	// arbitrary text would not do.
	Example string
}

// Hidden reports whether GitLab leaves the field out of "properties":
// secrets, internal fields, and every name GitLab's api_field_names rule
// drops (any name containing password, token, key, title or description).
func (f Field) Hidden() bool {
	if f.Secret || f.Internal {
		return true
	}
	for _, word := range hiddenWords {
		if strings.Contains(f.Name, word) {
			return true
		}
	}
	return false
}

// hiddenWords is GitLab's rule (a regexp there; substrings are the same
// and cost nothing on every GET).
var hiddenWords = []string{"password", "token", "key", "title", "description"}

// Event is a kind of event a service can be told about; its flag in the API
// is FlagName().
type Event string

// The events of GitLab's services. Their flag names follow
// app/helpers/services_helper.rb (issue -> issues_events, ...).
const (
	Push               Event = "push"
	TagPush            Event = "tag_push"
	Issue              Event = "issues"
	ConfidentialIssue  Event = "confidential_issues"
	MergeRequest       Event = "merge_requests"
	Note               Event = "note"
	ConfidentialNote   Event = "confidential_note"
	Pipeline           Event = "pipeline"
	WikiPage           Event = "wiki_page"
	Job                Event = "job"
	Commit             Event = "commit"
	Deployment         Event = "deployment"
	flagSuffix               = "_events"
	CommentOnEventFlag       = "comment_on_event_enabled"
)

// FlagName is the API parameter and entity key of the event's flag.
func (e Event) FlagName() string { return string(e) + flagSuffix }

// EntityFlags are the event flags of GitLab's service entity, in its order.
var EntityFlags = []Event{Commit, Push, Issue, ConfidentialIssue, MergeRequest, TagPush, Note, ConfidentialNote, Pipeline, WikiPage, Job}

// Service is one kind of project service.
type Service struct {
	Slug        string
	Title       string
	Description string
	Fields      []Field
	// Events are the event flags PUT accepts for this service; delivery
	// only considers these.
	Events []Event
	// StrictEventFlags: GitLab declares the chat services' flags as Boolean,
	// so a value like "maybe" is refused; other services declare them as
	// String and cast them as a database boolean, which never fails.
	StrictEventFlags bool
	// Aliases maps accepted parameter names to the field they set, for
	// names the documentation spells differently from the source.
	Aliases map[string]string
	// ResetOnChange names a field whose change, without new values for the
	// listed secrets in the same request, blanks those secrets (GitLab does
	// this so a password is not sent to a new server).
	ResetOnChange map[string][]string
	// TitleFromField names the property that overrides Title when set
	// (issue trackers' "title").
	TitleFromField string
	// DefaultFlags overrides the default of some event flags (all true
	// otherwise).
	DefaultFlags map[Event]bool
	// DefaultBranchAlias: the deprecated "notify_only_default_branch" is
	// accepted and sets branches_to_be_notified to "default" (true) or
	// "all" (false), unless that is sent too.
	DefaultBranchAlias bool
	// ActiveFromField names a boolean field that decides "active" after a
	// PUT instead of forcing it true (Prometheus' manual_configuration).
	ActiveFromField string
	// IssueTracker: an external issue tracker (GitLab's category
	// "issue_tracker"), of which a project may have one active at a time.
	IssueTracker bool
	// LongIssueReferences: the tracker's issue references are only the
	// long form (ABC-123), never #123 (YouTrack), where its references are
	// linked (Emails on push).
	LongIssueReferences bool
	// PushContext: the integration also needs, for a push, the project's
	// external issue tracker (to link issue references) and the push's
	// diff, fetched at delivery time from the project's GitLab source when
	// the event came without one (Emails on push).
	PushContext bool
	// TestEvent is the event "Test settings" sends a sample of: a push
	// unless set (Pipeline emails: a pipeline, as GitLab's test button).
	TestEvent Event
	// Flags are the service's boolean settings that are not event flags
	// nor properties but live beside them (Jira's
	// comment_on_event_enabled): PUT accepts them, the reference lists
	// them, integrations read them (Decode).
	Flags []Flag
	// Validate, when set, validates the properties of an active service
	// together (GitLab's model validations over several fields): messages
	// by field, or nil.
	Validate func(props map[string]any) map[string][]string
}

// Flag is a boolean setting of a service kept beside its event flags.
type Flag struct {
	Name string
	// Default is its value when never sent.
	Default bool
	Help    string
}

// Flag returns the named flag of Flags.
func (s *Service) Flag(name string) (Flag, bool) {
	for _, f := range s.Flags {
		if f.Name == name {
			return f, true
		}
	}
	return Flag{}, false
}

// Field returns the named field.
func (s *Service) Field(name string) (Field, bool) {
	for _, f := range s.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Wants reports whether the service supports the event at all.
func (s *Service) Wants(e Event) bool { return slices.Contains(s.Events, e) }

// DefaultFlag is the value of an event flag on a new service.
func (s *Service) DefaultFlag(e Event) bool {
	if v, ok := s.DefaultFlags[e]; ok {
		return v
	}
	return true
}

// DefaultProperties are the properties a new service starts with.
func (s *Service) DefaultProperties() map[string]any {
	p := map[string]any{}
	for _, f := range s.Fields {
		if f.Default != nil {
			p[f.Name] = f.Default
		}
	}
	return p
}

// services is filled by the init functions of this package's files, one
// file per family of services; the index is built on first use, after them.
var services []*Service

func register(s ...*Service) { services = append(services, s...) }

var index = sync.OnceValues(func() (map[string]*Service, []*Service) {
	m := make(map[string]*Service, len(services))
	for _, s := range services {
		if _, dup := m[s.Slug]; dup {
			panic("catalog: duplicate slug " + s.Slug)
		}
		m[s.Slug] = s
	}
	sorted := append([]*Service(nil), services...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Slug < sorted[j].Slug })
	return m, sorted
})

// Lookup returns the service with the slug.
func Lookup(slug string) (*Service, bool) {
	m, _ := index()
	s, ok := m[slug]
	return s, ok
}

// All returns every service, sorted by slug. The slice must not be changed.
func All() []*Service {
	_, sorted := index()
	return sorted
}

// Accepts reports whether PUT takes a parameter of this name.
func (s *Service) Accepts(name string) bool {
	if f, ok := s.Field(name); ok {
		return !f.Undeclared
	}
	if _, ok := s.Aliases[name]; ok {
		return true
	}
	for _, e := range s.Events {
		if e.FlagName() == name {
			return true
		}
	}
	if _, ok := s.Flag(name); ok {
		return true
	}
	switch name {
	case "notify_only_default_branch":
		return s.DefaultBranchAlias
	case "active":
		return true // accepted and ignored: PUT activates, as GitLab's
	}
	return false
}
