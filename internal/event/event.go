// Package event turns GitLab webhook requests (the X-Gitlab-Event header
// and the JSON body) into typed events, refusing those integrations could
// not act on.
//
// It knows the catalog's event flags and the integration package's project
// type; it must not import the API, the store or any integration.
package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/glint-dev/glint/internal/catalog"
)

// Kind is the kind of an event; the confidential variants are kinds of
// their own, as GitLab dispatches them under their own hook scopes.
type Kind string

// The event kinds.
const (
	Push              Kind = "push"
	TagPush           Kind = "tag_push"
	Issue             Kind = "issue"
	ConfidentialIssue Kind = "confidential_issue"
	MergeRequest      Kind = "merge_request"
	Note              Kind = "note"
	ConfidentialNote  Kind = "confidential_note"
	Pipeline          Kind = "pipeline"
	Job               Kind = "job" // object_kind "build"
	WikiPage          Kind = "wiki_page"
	Deployment        Kind = "deployment"
)

// Error is why a webhook request was refused; Message is the text the
// intake answers with its 400.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

func errorf(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

// Event is one parsed webhook event. Exactly one payload pointer is set:
// Push for both push kinds, Issue and Note for their confidential
// variants too.
type Event struct {
	Kind   Kind
	Header string // the X-Gitlab-Event value
	// Raw is the body exactly as received.
	Raw json.RawMessage

	Push         *PushEvent
	Issue        *IssueEvent
	MergeRequest *MergeRequestEvent
	Note         *NoteEvent
	Pipeline     *PipelineEvent
	Job          *JobEvent
	WikiPage     *WikiPageEvent
	Deployment   *DeploymentEvent
}

// hook is what one X-Gitlab-Event value promises.
type hook struct {
	kind       Kind
	objectKind string
	// required are the dotted paths that must hold a value (not null, not
	// an empty string) for integrations to act on the event.
	required []string
}

// hooks are GitLab's header values ("<hook scope>".singularize.titleize).
var hooks = map[string]hook{
	"Push Hook":               {Push, "push", pushRequired},
	"Tag Push Hook":           {TagPush, "tag_push", pushRequired},
	"Issue Hook":              {Issue, "issue", issueRequired},
	"Confidential Issue Hook": {ConfidentialIssue, "issue", issueRequired},
	"Merge Request Hook": {MergeRequest, "merge_request", []string{
		"object_attributes", "object_attributes.iid", "object_attributes.title",
		"object_attributes.source_branch", "object_attributes.target_branch"}},
	"Note Hook":              {Note, "note", noteRequired},
	"Confidential Note Hook": {ConfidentialNote, "note", noteRequired},
	"Pipeline Hook": {Pipeline, "pipeline", []string{
		"object_attributes", "object_attributes.id", "object_attributes.status", "object_attributes.ref"}},
	"Job Hook": {Job, "build", []string{"build_id", "build_status"}},
	"Wiki Page Hook": {WikiPage, "wiki_page", []string{
		"object_attributes", "object_attributes.title", "object_attributes.url"}},
	"Deployment Hook": {Deployment, "deployment", []string{"status", "environment"}},
}

var (
	pushRequired  = []string{"ref", "before", "after", "project"}
	issueRequired = []string{"object_attributes", "object_attributes.iid",
		"object_attributes.title", "object_attributes.url"}
	noteRequired = []string{"object_attributes", "object_attributes.note",
		"object_attributes.noteable_type", "object_attributes.url"}
	// noteableRequired: the object a note is on, by noteable_type.
	noteableRequired = map[string][]string{
		"Commit":       {"commit", "commit.id"},
		"Issue":        {"issue", "issue.iid"},
		"MergeRequest": {"merge_request", "merge_request.iid"},
		"Snippet":      {"snippet", "snippet.id"},
	}
)

// Parse reads one webhook request. Every error it returns is an *Error.
func Parse(header string, body []byte) (*Event, error) {
	h, ok := hooks[header]
	if !ok {
		if header == "" {
			return nil, errorf("missing X-Gitlab-Event header")
		}
		return nil, errorf("unknown event %q", header)
	}
	// JSON is UTF-8 (RFC 8259); other bytes would be stored, logged and
	// sent on as they came.
	if !utf8.Valid(body) {
		return nil, errorf("malformed JSON: the body is not valid UTF-8")
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, errorf("malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, errorf("malformed JSON: the body is not an object")
	}
	rawKind := root["object_kind"]
	switch kind, isString := rawKind.(string); {
	case rawKind == nil || kind == "" && isString:
		return nil, errorf("missing object_kind")
	case !isString:
		return nil, errorf("invalid object_kind: %s is not a string", jsonType(rawKind))
	case kind != h.objectKind:
		return nil, errorf("object_kind %q does not match X-Gitlab-Event %q", kind, header)
	}

	ev := &Event{Kind: h.kind, Header: header, Raw: bytes.Clone(body)}
	var target any
	switch h.kind {
	case Push, TagPush:
		ev.Push = new(PushEvent)
		target = ev.Push
	case Issue, ConfidentialIssue:
		ev.Issue = new(IssueEvent)
		target = ev.Issue
	case MergeRequest:
		ev.MergeRequest = new(MergeRequestEvent)
		target = ev.MergeRequest
	case Note, ConfidentialNote:
		ev.Note = new(NoteEvent)
		target = ev.Note
	case Pipeline:
		ev.Pipeline = new(PipelineEvent)
		target = ev.Pipeline
	case Job:
		ev.Job = new(JobEvent)
		target = ev.Job
	case WikiPage:
		ev.WikiPage = new(WikiPageEvent)
		target = ev.WikiPage
	case Deployment:
		ev.Deployment = new(DeploymentEvent)
		target = ev.Deployment
	}
	if err := json.Unmarshal(body, target); err != nil {
		return nil, typeError(err)
	}

	required := h.required
	if ev.Note != nil {
		required = slices.Concat(required, noteableRequired[ev.Note.ObjectAttributes.NoteableType])
	}
	for _, path := range required {
		if !present(root, path) {
			return nil, errorf("missing %s", path)
		}
	}

	switch {
	case ev.Issue != nil && (ev.Issue.ObjectAttributes.Confidential || ev.Issue.EventType == string(ConfidentialIssue)):
		ev.Kind = ConfidentialIssue
	case ev.Note != nil && (ev.Note.ObjectAttributes.Confidential || ev.Note.EventType == string(ConfidentialNote) ||
		ev.Note.Issue != nil && ev.Note.Issue.Confidential):
		ev.Kind = ConfidentialNote
	}
	return ev, nil
}

// typeError names the field whose JSON type does not fit the payload.
// The body is known to be valid JSON here, so type errors are the rule.
func typeError(err error) *Error {
	te, ok := err.(*json.UnmarshalTypeError)
	if !ok {
		return errorf("malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	want := "an object"
	switch te.Type.Kind() {
	case reflect.String:
		want = "a string"
	case reflect.Bool:
		want = "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		want = "an integer"
	case reflect.Float32, reflect.Float64:
		want = "a number"
	case reflect.Slice, reflect.Array:
		want = "an array"
	}
	return errorf("invalid %s: %s is not %s", te.Field, te.Value, want)
}

// jsonType names the JSON type of a decoded value as encoding/json's
// type errors do.
func jsonType(v any) string {
	switch v.(type) {
	case bool:
		return "bool"
	case float64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "string"
}

// present reports whether the dotted path leads to a value that is neither
// null nor an empty string.
func present(root map[string]any, path string) bool {
	var v any = root
	for name := range strings.SplitSeq(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return false
		}
		v = obj[name]
	}
	s, isString := v.(string)
	return v != nil && (!isString || s != "")
}

// Flag is the event flag of a service that gates this event.
func (e *Event) Flag() catalog.Event { return FlagOf(e.Kind) }

// FlagOf is the event flag of a service that gates events of a kind.
func FlagOf(k Kind) catalog.Event { return flags[k] }

var flags = map[Kind]catalog.Event{
	Push:              catalog.Push,
	TagPush:           catalog.TagPush,
	Issue:             catalog.Issue,
	ConfidentialIssue: catalog.ConfidentialIssue,
	MergeRequest:      catalog.MergeRequest,
	Note:              catalog.Note,
	ConfidentialNote:  catalog.ConfidentialNote,
	Pipeline:          catalog.Pipeline,
	Job:               catalog.Job,
	WikiPage:          catalog.WikiPage,
	Deployment:        catalog.Deployment,
}

// Ref is the short branch or tag name the event is about: the pushed ref,
// the pipeline's or job's ref, or a merge request's target branch; "" for
// other events.
func (e *Event) Ref() string {
	switch {
	case e.Push != nil:
		return RefName(e.Push.Ref)
	case e.Pipeline != nil:
		return e.Pipeline.ObjectAttributes.Ref
	case e.MergeRequest != nil:
		return e.MergeRequest.ObjectAttributes.TargetBranch
	case e.Job != nil:
		return e.Job.Ref
	}
	return ""
}

// RefName strips refs/heads/ or refs/tags/ from a full ref, as
// Gitlab::Git.ref_name does.
func RefName(ref string) string {
	for _, prefix := range []string{"refs/heads/", "refs/tags/"} {
		if rest, ok := strings.CutPrefix(ref, prefix); ok {
			return rest
		}
	}
	return ref
}

// IsTagRef reports whether a full ref names a tag.
func IsTagRef(ref string) bool { return strings.HasPrefix(ref, "refs/tags/") }

// BlankSHA is GitLab's "no commit": the before of a new ref, the after of
// a deleted one.
const BlankSHA = "0000000000000000000000000000000000000000"
