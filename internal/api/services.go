package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

// serviceBasic is GitLab's ProjectServiceBasic entity, keys in GitLab's
// order, plus "slug" (added by GitLab 13.x, harmless to older clients).
type serviceBasic struct {
	ID                       *int64  `json:"id"`
	Title                    string  `json:"title"`
	Slug                     string  `json:"slug"`
	CreatedAt                *string `json:"created_at"`
	UpdatedAt                *string `json:"updated_at"`
	Active                   bool    `json:"active"`
	CommitEvents             bool    `json:"commit_events"`
	PushEvents               bool    `json:"push_events"`
	IssuesEvents             bool    `json:"issues_events"`
	ConfidentialIssuesEvents bool    `json:"confidential_issues_events"`
	MergeRequestsEvents      bool    `json:"merge_requests_events"`
	TagPushEvents            bool    `json:"tag_push_events"`
	NoteEvents               bool    `json:"note_events"`
	ConfidentialNoteEvents   bool    `json:"confidential_note_events"`
	PipelineEvents           bool    `json:"pipeline_events"`
	WikiPageEvents           bool    `json:"wiki_page_events"`
	JobEvents                bool    `json:"job_events"`
	CommentOnEventEnabled    bool    `json:"comment_on_event_enabled"`
}

// serviceEntity is GitLab's ProjectService entity.
type serviceEntity struct {
	serviceBasic
	Properties properties `json:"properties"`
}

// properties keeps the catalog's field order in JSON.
type properties []property

type property struct {
	name  string
	value any
}

func (p properties) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range p {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(kv.name)
		v, err := json.Marshal(kv.value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func basicEntity(s *catalog.Service, rec *store.Service) serviceBasic {
	f := rec.Flags
	e := serviceBasic{
		Title:                    s.Title,
		Slug:                     s.Slug,
		Active:                   rec.Active,
		CommitEvents:             f["commit_events"],
		PushEvents:               f["push_events"],
		IssuesEvents:             f["issues_events"],
		ConfidentialIssuesEvents: f["confidential_issues_events"],
		MergeRequestsEvents:      f["merge_requests_events"],
		TagPushEvents:            f["tag_push_events"],
		NoteEvents:               f["note_events"],
		ConfidentialNoteEvents:   f["confidential_note_events"],
		PipelineEvents:           f["pipeline_events"],
		WikiPageEvents:           f["wiki_page_events"],
		JobEvents:                f["job_events"],
		CommentOnEventEnabled:    f[catalog.CommentOnEventFlag],
	}
	if t, ok := rec.Properties[s.TitleFromField].(string); ok && s.TitleFromField != "" && t != "" {
		e.Title = t
	}
	if rec.ID != 0 {
		id := rec.ID
		e.ID = &id
		e.CreatedAt = optTimestamp(&rec.CreatedAt)
		e.UpdatedAt = optTimestamp(&rec.UpdatedAt)
	}
	return e
}

// entity renders a service as GitLab does: hidden fields (secrets and
// every name GitLab's rule hides) are absent, as are fields never set.
func entity(s *catalog.Service, rec *store.Service) serviceEntity {
	props := properties{}
	for _, f := range s.Fields {
		if f.Hidden() {
			continue
		}
		if v, ok := rec.Properties[f.Name]; ok {
			props = append(props, property{f.Name, v})
		}
	}
	return serviceEntity{serviceBasic: basicEntity(s, rec), Properties: props}
}

// storedOrDefault returns the stored service, or the unsaved default
// object GitLab 12.5 shows for a service never configured.
func (s *Server) storedOrDefault(r *http.Request, svc *catalog.Service, p *store.Project) (*store.Service, error) {
	return settings.Load(r.Context(), s.st, svc, p.ID)
}

func (s *Server) slug(w http.ResponseWriter, r *http.Request) (*catalog.Service, bool) {
	svc, ok := catalog.Lookup(r.PathValue("slug"))
	if !ok {
		writeError(w, 400, "service_slug does not have a valid value")
	}
	return svc, ok
}

func (s *Server) getService(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	svc, ok := s.slug(w, r)
	if !ok {
		return
	}
	rec, err := s.storedOrDefault(r, svc, p)
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	s.resumeAfterChange(r, p, svc.Slug, "the service was updated")
	writeJSON(w, 200, entity(svc, rec))
}

// listServices is GitLab 12.7's list: the project's active services, basic
// entity.
func (s *Server) listServices(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	recs, err := s.st.Services(r.Context(), p.ID)
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	out := []serviceBasic{}
	for i := range recs {
		svc, ok := catalog.Lookup(recs[i].Slug)
		if ok && recs[i].Active {
			out = append(out, basicEntity(svc, &recs[i]))
		}
	}
	writeJSON(w, 200, out)
}

func (s *Server) putService(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	svc, _ := catalog.Lookup(r.PathValue("slug"))
	raw, ok := s.params(w, r)
	if !ok {
		return
	}
	change, err := settings.Decode(svc, raw)
	var perr *settings.ParamError
	if errors.As(err, &perr) {
		writeError(w, 400, perr.Error())
		return
	}
	rec, err := s.st.UpdateService(r.Context(), p.ID, svc.Slug, func(rec *store.Service) error {
		return settings.Apply(svc, rec, change, s.opt.Sealer, s.opt.Policy)
	})
	var verr *settings.ValidationError
	if errors.As(err, &verr) {
		writeMessage(w, 400, verr.Fields)
		return
	}
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	s.resumeAfterChange(r, p, svc.Slug, "the service was updated")
	writeJSON(w, 200, entity(svc, rec))
}

// deleteService deactivates and blanks the service (the row stays), and
// honours If-Unmodified-Since as GitLab's destroy_conditionally! does.
func (s *Server) deleteService(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	svc, ok := s.slug(w, r)
	if !ok {
		return
	}
	var since time.Time
	if h := r.Header.Get("If-Unmodified-Since"); h != "" {
		since, _ = http.ParseTime(h)
	}
	errPrecondition := errors.New("precondition failed")
	_, err := s.st.UpdateService(r.Context(), p.ID, svc.Slug, func(rec *store.Service) error {
		if !since.IsZero() && rec.ID != 0 && rec.UpdatedAt.Truncate(time.Second).After(since) {
			return errPrecondition
		}
		settings.Reset(svc, rec)
		return nil
	})
	if errors.Is(err, errPrecondition) {
		writeMessage(w, 412, "412 Precondition Failed")
		return
	}
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	s.resumeAfterChange(r, p, svc.Slug, "the service was reset")
	w.WriteHeader(http.StatusNoContent)
}

// params reads request parameters, answering 413 or 400 itself when the
// body is too large or malformed.
func (s *Server) params(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	raw, err := readParams(r)
	var invalid *invalidParam
	switch {
	case errors.As(err, &invalid):
		writeError(w, 400, invalid.Error())
		return nil, false
	case errors.Is(err, errTooLarge):
		writeMessage(w, 413, "413 Request Entity Too Large")
		return nil, false
	case errors.Is(err, errMalformed):
		writeError(w, 400, errMalformed.Error())
		return nil, false
	case err != nil:
		writeError(w, 400, "could not read the request body: "+strings.TrimSpace(err.Error()))
		return nil, false
	}
	return raw, true
}
