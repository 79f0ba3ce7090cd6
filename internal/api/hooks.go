package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"net/http"

	"github.com/glint-dev/glint/internal/auth"
	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/delivery"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/store"
)

// MaxEventBytes bounds a webhook body, as GitLab's own payload limit.
const MaxEventBytes = 25 << 20

// Events is the delivery half, as the API needs it.
type Events interface {
	Accept(ctx context.Context, p *store.Project, header, uuid string, body []byte) (int, bool, error)
	Retry(ctx context.Context, deliveryID int64) error
	Test(ctx context.Context, p *store.Project, slug, user string) (delivery.TestOutcome, error)
}

// setIntakeToken makes a new intake secret for the project, shown once.
func (s *Server) setIntakeToken(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	token := auth.NewToken()
	if err := s.st.SetIntakeTokenHash(r.Context(), p.ID, auth.Hash(token)); err != nil {
		s.storeFailed(w, r, err)
		return
	}
	writeJSON(w, 200, map[string]string{"token": token})
}

// intake is POST /hooks/gitlab/:id: a GitLab webhook delivery. It answers
// 202 only once the event and its deliveries are committed.
func (s *Server) intake(w http.ResponseWriter, r *http.Request) {
	if s.opt.Events == nil {
		writeMessage(w, 503, "503 Service Unavailable")
		return
	}
	p, ok := s.pathProject(w, r)
	if !ok {
		return
	}
	given := auth.Hash(r.Header.Get("X-Gitlab-Token"))
	if p.IntakeTokenHash == "" || subtle.ConstantTimeCompare([]byte(given), []byte(p.IntakeTokenHash)) != 1 {
		unauthorized(w)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxEventBytes+1))
	if err != nil {
		writeError(w, 400, "could not read the request body")
		return
	}
	if len(body) > MaxEventBytes {
		writeMessage(w, 413, "413 Request Entity Too Large")
		return
	}
	if malformed(string(body)) {
		// PostgreSQL could not store it; GitLab never sends it.
		writeError(w, 400, errMalformed.Error())
		return
	}
	n, dup, err := s.opt.Events.Accept(r.Context(), p, r.Header.Get("X-Gitlab-Event"), r.Header.Get("X-Gitlab-Event-Uuid"), body)
	var perr *event.Error
	switch {
	case errors.As(err, &perr):
		writeMessage(w, 400, perr.Message)
	case err != nil:
		s.storeFailed(w, r, err)
	case dup:
		writeJSON(w, 200, map[string]any{"message": "duplicate event ignored", "deliveries": 0})
	default:
		writeJSON(w, 202, map[string]any{"message": "202 Accepted", "deliveries": n})
	}
}

type attemptEntity struct {
	Attempt      int     `json:"attempt"`
	StartedAt    string  `json:"started_at"`
	DurationMS   float64 `json:"duration_ms"`
	StatusCode   int     `json:"status_code"`
	ResponseBody string  `json:"response_body"`
	Error        string  `json:"error"`
}

type deliveryEntity struct {
	ID        int64           `json:"id"`
	Service   string          `json:"service"`
	EventID   int64           `json:"event_id"`
	EventKind string          `json:"event_kind,omitempty"`
	Status    string          `json:"status"`
	Attempts  int             `json:"attempts"`
	LastError string          `json:"last_error"`
	CreatedAt string          `json:"created_at"`
	UpdatedAt string          `json:"updated_at"`
	Event     any             `json:"event,omitempty"`
	History   []attemptEntity `json:"attempt_history,omitempty"`
}

func deliveryJSON(d *store.Delivery) deliveryEntity {
	return deliveryEntity{ID: d.ID, Service: d.Service, EventID: d.EventID, Status: d.Status, Attempts: d.Attempts,
		LastError: d.LastError, CreatedAt: timestamp(d.CreatedAt), UpdatedAt: timestamp(d.UpdatedAt)}
}

// listDeliveries pages a service's delivery log, newest first.
func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	svc, ok := s.slug(w, r)
	if !ok {
		return
	}
	listPage(s, w, r, func(pg store.Page) ([]store.Delivery, int, error) {
		return s.st.Deliveries(r.Context(), p.ID, svc.Slug, pg.Offset, pg.Limit)
	}, deliveryJSON)
}

// pathDelivery finds the delivery named in the path, within the project
// and service of the path.
func (s *Server) pathDelivery(w http.ResponseWriter, r *http.Request, p *store.Project) (*store.Delivery, *catalog.Service, bool) {
	svc, ok := s.slug(w, r)
	if !ok {
		return nil, nil, false
	}
	id, ok := pathID(w, r, "delivery_id", "Delivery")
	if !ok {
		return nil, nil, false
	}
	d, err := s.st.Delivery(r.Context(), id)
	if err == nil && (d.ProjectID != p.ID || d.Service != svc.Slug) {
		err = store.ErrNotFound
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.storeFailed(w, r, err)
		return nil, nil, false
	}
	if err != nil {
		notFound(w, "Delivery")
		return nil, nil, false
	}
	return d, svc, true
}

// getDelivery shows one delivery with its event and every attempt. The
// event is GitLab's payload as received; service secrets are never part of
// a delivery.
func (s *Server) getDelivery(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	d, _, ok := s.pathDelivery(w, r, p)
	if !ok {
		return
	}
	out := deliveryJSON(d)
	if ev, err := s.st.Event(r.Context(), d.EventID); err == nil {
		out.EventKind = ev.Kind
		out.Event = jsonRaw(ev.Payload)
	}
	attempts, err := s.st.Attempts(r.Context(), d.ID)
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	out.History = []attemptEntity{}
	for _, a := range attempts {
		out.History = append(out.History, attemptEntity{Attempt: a.Attempt, StartedAt: timestamp(a.StartedAt),
			DurationMS: float64(a.Duration.Microseconds()) / 1000, StatusCode: a.StatusCode, ResponseBody: a.ResponseBody, Error: a.Error})
	}
	writeJSON(w, 200, out)
}

func (s *Server) retryDelivery(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	d, _, ok := s.pathDelivery(w, r, p)
	if !ok {
		return
	}
	if s.opt.Events == nil {
		writeMessage(w, 503, "503 Service Unavailable")
		return
	}
	if err := s.opt.Events.Retry(r.Context(), d.ID); errors.Is(err, delivery.ErrPending) {
		writeMessage(w, 409, "409 Conflict: the delivery is still pending")
		return
	} else if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	d, err := s.st.Delivery(r.Context(), d.ID)
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	writeJSON(w, 202, deliveryJSON(d))
}

// testService sends a sample push to the service now and answers what
// happened, as GitLab's "Test settings".
func (s *Server) testService(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	svc, ok := s.slug(w, r)
	if !ok {
		return
	}
	if s.opt.Events == nil {
		writeMessage(w, 503, "503 Service Unavailable")
		return
	}
	out, err := s.opt.Events.Test(r.Context(), p, svc.Slug, identity(r).User.Username)
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	writeJSON(w, 200, out)
}
