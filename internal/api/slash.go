package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/gitlabapi"
	"github.com/glint-dev/glint/internal/outbound"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/slashcmd"
	"github.com/glint-dev/glint/internal/store"
)

// slashTrigger is POST /api/v4/projects/:id/services/<slug
// underscored>/trigger, where Slack or Mattermost send a slash command
// (spec §12). There is no user authentication: the "token" parameter must
// equal the active service's stored token. As GitLab, an unknown project,
// a service that is not active and a wrong token are all
// 404 {"message":"404 Service Not Found"}, so that project names do not
// leak; a missing token is Grape's 400.
func (s *Server) slashTrigger(slug string) http.HandlerFunc {
	svc, ok := catalog.Lookup(slug)
	if !ok {
		panic("api: no service " + slug)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		params, ok := s.params(w, r)
		if !ok {
			return
		}
		if _, sent := params["token"]; !sent {
			writeError(w, 400, "token is missing")
			return
		}
		token, ok := tokenParam(params)
		if !ok {
			writeError(w, 400, "token is invalid")
			return
		}
		p, err := s.findProject(r.Context(), r.PathValue("id"))
		if errors.Is(err, store.ErrNotFound) {
			notFound(w, "Service")
			return
		}
		if err != nil {
			s.storeFailed(w, r, err)
			return
		}
		rec, err := store.ActiveService(r.Context(), s.st, p.ID, svc.Slug)
		if errors.Is(err, store.ErrNotFound) {
			notFound(w, "Service")
			return
		}
		if err != nil {
			s.storeFailed(w, r, err)
			return
		}
		conf, err := settings.Resolve(svc, rec, s.opt.Sealer)
		if err != nil {
			// The error names the field, never the secret.
			s.log.ErrorContext(r.Context(), "cannot open a slash command token", "service", svc.Slug, "project_id", p.ID, "err", err)
			serverError(w)
			return
		}
		stored, _ := conf["token"].(string)
		if !tokenMatches(token, stored) {
			notFound(w, "Service")
			return
		}
		text, _ := params["text"].(string)
		trigger, _ := params["command"].(string)
		req := slashcmd.Request{
			Trigger: trigger, Text: text, ProjectURL: s.opt.BaseURL + "/" + p.FullPath(),
			Slack: svc.Slug == "slack-slash-commands",
		}
		resp, ok := s.slashOnSource(w, r, p, svc.Slug, req)
		if !ok {
			return
		}
		writeJSON(w, resp.Status, resp)
	}
}

// slashOnSource answers a slash command: carried out on the project's
// GitLab source when it has one, as the source token's user; GitLab's
// help or glint's explanation otherwise. ok is false when the answer
// (a 5xx: the database is out of reach) has been written.
func (s *Server) slashOnSource(w http.ResponseWriter, r *http.Request, p *store.Project, slug string, req slashcmd.Request) (slashcmd.Response, bool) {
	command := "help"
	if parsed, ok := slashcmd.Parse(req.Text); ok {
		command = parsed.Command.Name
	}
	src, err := s.st.GitLabSource(r.Context(), p.ID)
	if errors.Is(err, store.ErrNotFound) {
		s.metrics.slash.WithLabelValues(slug, command, "no_source").Inc()
		return slashcmd.Answer(req), true
	}
	if err != nil {
		s.storeFailed(w, r, err)
		return slashcmd.Response{}, false
	}
	token, err := s.opt.Sealer.Open(src.SealedToken, settings.GitLabSourceTokenAD)
	if err != nil {
		s.log.ErrorContext(r.Context(), "cannot open the GitLab source's token", "project_id", p.ID, "err", err,
			"request_id", RequestID(r.Context()))
		s.metrics.slash.WithLabelValues(slug, command, "source_failed").Inc()
		return slashcmd.NotSuccessful([]string{"the project's GitLab source token cannot be opened"}), true
	}
	gl := &gitlabapi.Client{BaseURL: src.URL, Token: token, Project: p.FullPath(), HTTP: s.opt.Outbound}
	resp, err := slashcmd.Execute(r.Context(), gl, req)
	outcome := "answered"
	if err != nil {
		outcome = "source_failed"
		// The client's errors name the URL redacted, never the token.
		s.log.WarnContext(r.Context(), "slash command: the GitLab source failed", "service", slug, "project_id", p.ID, "err", err,
			"request_id", RequestID(r.Context()))
	}
	s.metrics.slash.WithLabelValues(slug, command, outcome).Inc()
	return resp, true
}

// newSlashMetric is glint_slash_commands_total; its labels are bounded:
// two services, GitLab's eight commands and "help", three outcomes.
func newSlashMetric() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "glint_slash_commands_total",
		Help: "Slash commands answered, by service, command (or help) and outcome (no_source, answered, source_failed).",
	}, []string{"service", "command", "outcome"})
}

// tokenParam reads the token as Grape's String type coerces it; ok is
// false for a value that is no scalar. null is "", which matches no
// service.
func tokenParam(params map[string]any) (string, bool) {
	switch v := params["token"].(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// tokenMatches compares a given token with the stored one in constant
// time, whatever their lengths; a blank stored token matches nothing.
func tokenMatches(given, stored string) bool {
	if strings.TrimSpace(stored) == "" {
		return false
	}
	g, st := sha256.Sum256([]byte(given)), sha256.Sum256([]byte(stored))
	return subtle.ConstantTimeCompare(g[:], st[:]) == 1
}

// SourceClient is the guarded outbound client for the calls to GitLab
// sources: opts, but it follows no redirect, since a redirect to another
// host would carry the source token (PRIVATE-TOKEN is no header Go's
// client drops): a 3xx is GitLab's answer.
func SourceClient(opts outbound.Options) *outbound.Client {
	opts.MaxRedirects = -1
	return outbound.New(opts)
}
