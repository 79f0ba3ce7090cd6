// Package compat drives a real glint server through GitLab's official Go
// client (gitlab.com/gitlab-org/api/client-go/v2) and checks that what the
// client decodes is what was configured: every typed Services method the
// client has for a service glint knows, the generic request methods for
// the rest of the catalog, the list of active services and the error
// mapping.
package compat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/glint-dev/glint/internal/api"
	"github.com/glint-dev/glint/internal/app"
	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store/sqlstore"
)

// startServer runs a real glint server (SQLite store, keys, bootstrap root
// user) on a loopback listener and returns its address and root's token.
func startServer(t *testing.T) (addr, token string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlstore.OpenSQLite(filepath.Join(dir, "glint.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		t.Fatalf("migrate: %v", err)
	}
	cfg := app.Config{DataDir: dir}
	keys, err := app.LoadKeys(ctx, cfg, st)
	if err != nil {
		st.Close()
		t.Fatalf("load keys: %v", err)
	}
	token, err = app.Bootstrap(ctx, cfg, st)
	if err != nil || token == "" {
		st.Close()
		t.Fatalf("bootstrap: token %q, err %v", token, err)
	}
	handler := api.New(api.Options{
		Store:   st,
		Sealer:  keys,
		Policy:  settings.Policy{AllowLocal: false},
		Logger:  slog.New(slog.DiscardHandler),
		Version: "test",
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		st.Close()
		t.Fatalf("listen: %v", err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return ln.Addr().String(), token
}

// exchange is one response the client received, kept by the recorder.
type exchange struct {
	method, path string
	status       int
	body         []byte
}

// recorder is a client interceptor keeping every response body, so the
// test can look at what the server sent even where the client drops it
// (client-go maps every 404 to the ErrNotFound sentinel, body unread).
type recorder struct {
	mu  sync.Mutex
	log []exchange
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func (rec *recorder) intercept(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(req)
		if err != nil {
			return resp, err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(b))
		rec.mu.Lock()
		rec.log = append(rec.log, exchange{req.Method, req.URL.EscapedPath(), resp.StatusCode, b})
		rec.mu.Unlock()
		return resp, nil
	})
}

func (rec *recorder) last() exchange {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.log) == 0 {
		return exchange{}
	}
	return rec.log[len(rec.log)-1]
}

func (rec *recorder) all() []exchange {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.Clone(rec.log)
}

// assertions counts the checks made, for the summary line.
var assertions atomic.Int64

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	assertions.Add(1)
	if got != want {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func truth(t *testing.T, cond bool, format string, args ...any) {
	t.Helper()
	assertions.Add(1)
	if !cond {
		t.Errorf(format, args...)
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	assertions.Add(1)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// harness is what every step shares: the client, the project and the
// secrets sent so far.
type harness struct {
	c       *gitlab.Client
	rec     *recorder
	pid     int64  // numeric project id
	path    string // "root/compat"
	mu      sync.Mutex
	secrets []string
}

// secret remembers a secret value sent, to check no response carries it.
func (h *harness) secret(v string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.secrets = append(h.secrets, v)
	return v
}

// raw sends a request through the client's generic request methods.
func (h *harness) raw(method, path string, opt, out any) (*gitlab.Response, error) {
	req, err := h.c.NewRequest(method, path, opt, nil)
	if err != nil {
		return nil, err
	}
	return h.c.Do(req, out)
}

func (h *harness) servicePath(base, slug string) string {
	return fmt.Sprintf("projects/%d/%s/%s", h.pid, base, slug)
}

// rawService GETs a service as a map through /services and /integrations
// and checks both routes answer the same.
func (h *harness) rawService(t *testing.T, slug string) map[string]any {
	t.Helper()
	var viaServices, viaIntegrations map[string]any
	_, err := h.raw(http.MethodGet, h.servicePath("services", slug), nil, &viaServices)
	must(t, "GET services/"+slug, err)
	_, err = h.raw(http.MethodGet, h.servicePath("integrations", slug), nil, &viaIntegrations)
	must(t, "GET integrations/"+slug, err)
	a, _ := json.Marshal(viaServices)
	b, _ := json.Marshal(viaIntegrations)
	eq(t, slug+": /services and /integrations agree", string(a), string(b))
	return viaServices
}

func lookup(t *testing.T, slug string) *catalog.Service {
	t.Helper()
	svc, ok := catalog.Lookup(slug)
	if !ok {
		t.Fatalf("catalog has no %s", slug)
	}
	return svc
}

// checkPropertyKeys checks the raw entity's properties hold only visible
// catalog fields: secrets and every name GitLab's rule hides are absent.
func checkPropertyKeys(t *testing.T, slug string, entity map[string]any) map[string]any {
	t.Helper()
	svc := lookup(t, slug)
	props, ok := entity["properties"].(map[string]any)
	truth(t, ok, "%s: properties is %T, want an object", slug, entity["properties"])
	for _, f := range svc.Fields {
		if f.Hidden() {
			_, present := props[f.Name]
			truth(t, !present, "%s: hidden field %q is in properties: %v", slug, f.Name, props[f.Name])
		}
	}
	for k := range props {
		f, known := svc.Field(k)
		truth(t, known && !f.Hidden(), "%s: unexpected property %q", slug, k)
	}
	return props
}

// checkActive checks the common part of a configured service.
func checkActive(t *testing.T, s *gitlab.Service, slug string) {
	t.Helper()
	svc := lookup(t, slug)
	eq(t, slug+" active", s.Active, true)
	eq(t, slug+" slug", s.Slug, slug)
	eq(t, slug+" title", s.Title, svc.Title)
	truth(t, s.ID != 0, "%s: id is 0 for a saved service", slug)
	truth(t, s.CreatedAt != nil && s.UpdatedAt != nil, "%s: created_at/updated_at missing", slug)
}

// checkDefault checks a service never configured: GitLab 12.5 answers 200
// with an unsaved default object.
func checkDefault(t *testing.T, s *gitlab.Service, slug string) {
	t.Helper()
	eq(t, slug+" default active", s.Active, false)
	eq(t, slug+" default id", s.ID, int64(0))
	truth(t, s.CreatedAt == nil, "%s: unsaved default has created_at %v", slug, s.CreatedAt)
	eq(t, slug+" default slug", s.Slug, slug)
}

// checkDefaultProperties checks the properties of a service never
// configured are its visible defaults (chat services start with
// notify_only_broken_pipelines and branches_to_be_notified).
func checkDefaultProperties(t *testing.T, slug string, entity map[string]any) {
	t.Helper()
	svc := lookup(t, slug)
	eq(t, slug+" default: active", entity["active"], any(false))
	eq(t, slug+" default: id", entity["id"], nil)
	props := checkPropertyKeys(t, slug, entity)
	want := map[string]any{}
	for name, v := range svc.DefaultProperties() {
		if f, _ := svc.Field(name); !f.Hidden() {
			want[name] = jsonValue(v)
		}
	}
	eq(t, slug+" default: number of properties", len(props), len(want))
	for name, v := range want {
		eq(t, slug+" default: properties."+name, props[name], v)
	}
}

type (
	getFn[T any]    func(gitlab.ServicesServiceInterface, any, ...gitlab.RequestOptionFunc) (*T, *gitlab.Response, error)
	setFn[T, O any] func(gitlab.ServicesServiceInterface, any, *O, ...gitlab.RequestOptionFunc) (*T, *gitlab.Response, error)
	delFn           func(gitlab.ServicesServiceInterface, any, ...gitlab.RequestOptionFunc) (*gitlab.Response, error)
)

// typedCase is one service driven through the client's typed methods.
type typedCase struct {
	slug string
	// configure reads the default, sets, reads back and checks.
	configure func(t *testing.T, h *harness)
	// get reads the basic part back through the typed getter.
	get func(h *harness, pid any) (*gitlab.Service, error)
	del func(h *harness) (*gitlab.Response, error)
}

func typed[T, O any](slug string, get getFn[T], set setFn[T, O], del delFn, base func(*T) *gitlab.Service,
	opt func(h *harness) *O, check func(t *testing.T, v *T)) typedCase {
	return typedCase{
		slug: slug,
		configure: func(t *testing.T, h *harness) {
			before, _, err := get(h.c.Services, h.pid)
			must(t, "typed get before set", err)
			checkDefault(t, base(before), slug)
			checkDefaultProperties(t, slug, h.rawService(t, slug))

			resp, _, err := set(h.c.Services, h.pid, opt(h))
			must(t, "typed set", err)
			checkActive(t, base(resp), slug)
			check(t, resp)

			got, r, err := get(h.c.Services, h.pid)
			must(t, "typed get", err)
			eq(t, slug+" GET status", r.StatusCode, http.StatusOK)
			checkActive(t, base(got), slug)
			check(t, got)

			checkPropertyKeys(t, slug, h.rawService(t, slug))
		},
		get: func(h *harness, pid any) (*gitlab.Service, error) {
			v, _, err := get(h.c.Services, pid)
			if err != nil {
				return nil, err
			}
			return base(v), nil
		},
		del: func(h *harness) (*gitlab.Response, error) { return del(h.c.Services, h.pid) },
	}
}

type svcs = gitlab.ServicesServiceInterface

// typedCases covers every typed Set/Get/Delete trio of client-go's
// ServicesService whose service glint's catalog has. Datadog, Discord,
// Harbor, Matrix, Telegram and the GitLab for Slack app are not GitLab 12.5
// services and glint has none of them.
func typedCases() []typedCase {
	return []typedCase{
		typed("custom-issue-tracker", svcs.GetCustomIssueTrackerService, svcs.SetCustomIssueTrackerService, svcs.DeleteCustomIssueTrackerService,
			func(s *gitlab.CustomIssueTrackerService) *gitlab.Service { return &s.Service },
			func(h *harness) *gitlab.SetCustomIssueTrackerServiceOptions {
				return &gitlab.SetCustomIssueTrackerServiceOptions{
					NewIssueURL: gitlab.Ptr("https://tracker.example.com/issues/new"),
					IssuesURL:   gitlab.Ptr("https://tracker.example.com/issues/:id"),
					ProjectURL:  gitlab.Ptr("https://tracker.example.com/projects/compat"),
				}
			},
			func(t *testing.T, s *gitlab.CustomIssueTrackerService) {
				p := s.Properties
				eq(t, "new_issue_url", p.NewIssueURL, "https://tracker.example.com/issues/new")
				eq(t, "issues_url", p.IssuesURL, "https://tracker.example.com/issues/:id")
				eq(t, "project_url", p.ProjectURL, "https://tracker.example.com/projects/compat")
				eq(t, "push_events", s.PushEvents, true)
			}),
		typed("drone-ci", svcs.GetDroneCIService, svcs.SetDroneCIService, svcs.DeleteDroneCIService,
			func(s *gitlab.DroneCIService) *gitlab.Service { return &s.Service },
			func(h *harness) *gitlab.SetDroneCIServiceOptions {
				return &gitlab.SetDroneCIServiceOptions{
					Token:                 gitlab.Ptr(h.secret("drone-secret-token-4f1c")),
					DroneURL:              gitlab.Ptr("https://drone.example.com"),
					EnableSSLVerification: gitlab.Ptr(false),
					PushEvents:            gitlab.Ptr(true),
					MergeRequestsEvents:   gitlab.Ptr(false),
					TagPushEvents:         gitlab.Ptr(false),
				}
			},
			func(t *testing.T, s *gitlab.DroneCIService) {
				eq(t, "drone_url", s.Properties.DroneURL, "https://drone.example.com")
				eq(t, "enable_ssl_verification", s.Properties.EnableSSLVerification, false)
				eq(t, "push_events", s.PushEvents, true)
				eq(t, "merge_requests_events", s.MergeRequestsEvents, false)
				eq(t, "tag_push_events", s.TagPushEvents, false)
			}),
		typed("emails-on-push", svcs.GetEmailsOnPushService, svcs.SetEmailsOnPushService, svcs.DeleteEmailsOnPushService,
			func(s *gitlab.EmailsOnPushService) *gitlab.Service { return &s.Service },
			func(h *harness) *gitlab.SetEmailsOnPushServiceOptions {
				return &gitlab.SetEmailsOnPushServiceOptions{
					Recipients:             gitlab.Ptr("dev@example.com ops@example.com"),
					DisableDiffs:           gitlab.Ptr(true),
					SendFromCommitterEmail: gitlab.Ptr(true),
					PushEvents:             gitlab.Ptr(true),
					TagPushEvents:          gitlab.Ptr(false),
				}
			},
			func(t *testing.T, s *gitlab.EmailsOnPushService) {
				eq(t, "recipients", s.Properties.Recipients, "dev@example.com ops@example.com")
				eq(t, "disable_diffs", s.Properties.DisableDiffs, true)
				eq(t, "send_from_committer_email", s.Properties.SendFromCommitterEmail, true)
				eq(t, "push_events", s.PushEvents, true)
				eq(t, "tag_push_events", s.TagPushEvents, false)
			}),
		typed("external-wiki", svcs.GetExternalWikiService, svcs.SetExternalWikiService, svcs.DeleteExternalWikiService,
			func(s *gitlab.ExternalWikiService) *gitlab.Service { return &s.Service },
			func(h *harness) *gitlab.SetExternalWikiServiceOptions {
				return &gitlab.SetExternalWikiServiceOptions{ExternalWikiURL: gitlab.Ptr("https://wiki.example.com/compat")}
			},
			func(t *testing.T, s *gitlab.ExternalWikiService) {
				eq(t, "external_wiki_url", s.Properties.ExternalWikiURL, "https://wiki.example.com/compat")
			}),
		typed("github", svcs.GetGithubService, svcs.SetGithubService, svcs.DeleteGithubService,
			func(s *gitlab.GithubService) *gitlab.Service { return &s.Service },
			func(h *harness) *gitlab.SetGithubServiceOptions {
				return &gitlab.SetGithubServiceOptions{
					Token:         gitlab.Ptr(h.secret("ghp-secret-token-9a7e")),
					RepositoryURL: gitlab.Ptr("https://github.com/glint-dev/glint"),
					StaticContext: gitlab.Ptr(true),
				}
			},
			func(t *testing.T, s *gitlab.GithubService) {
				eq(t, "repository_url", s.Properties.RepositoryURL, "https://github.com/glint-dev/glint")
				eq(t, "static_context", s.Properties.StaticContext, true)
				eq(t, "pipeline_events", s.PipelineEvents, true)
			}),
		typed("jenkins", svcs.GetJenkinsCIService, svcs.SetJenkinsCIService, svcs.DeleteJenkinsCIService,
			func(s *gitlab.JenkinsCIService) *gitlab.Service { return &s.Service },
			func(h *harness) *gitlab.SetJenkinsCIServiceOptions {
				return &gitlab.SetJenkinsCIServiceOptions{
					URL:                 gitlab.Ptr("https://jenkins.example.com"),
					ProjectName:         gitlab.Ptr("compat_build"),
					Username:            gitlab.Ptr("ci-bot"),
					Password:            gitlab.Ptr(h.secret("jenkins-secret-pw-31b2")),
					PushEvents:          gitlab.Ptr(false),
					MergeRequestsEvents: gitlab.Ptr(true),
					TagPushEvents:       gitlab.Ptr(false),
				}
			},
			func(t *testing.T, s *gitlab.JenkinsCIService) {
				eq(t, "jenkins_url", s.Properties.URL, "https://jenkins.example.com")
				eq(t, "project_name", s.Properties.ProjectName, "compat_build")
				eq(t, "username", s.Properties.Username, "ci-bot")
				eq(t, "push_events", s.PushEvents, false)
				eq(t, "merge_requests_events", s.MergeRequestsEvents, true)
				eq(t, "tag_push_events", s.TagPushEvents, false)
			}),
		typed("jira", svcs.GetJiraService, svcs.SetJiraService, svcs.DeleteJiraService,
			func(s *gitlab.JiraService) *gitlab.Service { return &s.Service },
			func(h *harness) *gitlab.SetJiraServiceOptions {
				return &gitlab.SetJiraServiceOptions{
					URL:                   gitlab.Ptr("https://jira.example.com"),
					APIURL:                gitlab.Ptr("https://jira-api.example.com/rest"),
					Username:              gitlab.Ptr("gitlab-bot"),
					Password:              gitlab.Ptr(h.secret("jira-secret-pw-77d0")),
					JiraIssueTransitionID: gitlab.Ptr("31"),
					CommitEvents:          gitlab.Ptr(false),
					MergeRequestsEvents:   gitlab.Ptr(true),
					CommentOnEventEnabled: gitlab.Ptr(false),
					// Not a 12.5 parameter: PUT always activates.
					Active: gitlab.Ptr(false),
				}
			},
			func(t *testing.T, s *gitlab.JiraService) {
				p := s.Properties
				eq(t, "url", p.URL, "https://jira.example.com")
				eq(t, "api_url", p.APIURL, "https://jira-api.example.com/rest")
				eq(t, "username", p.Username, "gitlab-bot")
				eq(t, "password (must not come back)", p.Password, "")
				eq(t, "jira_issue_transition_id", p.JiraIssueTransitionID, "31")
				eq(t, "commit_events", s.CommitEvents, false)
				eq(t, "merge_requests_events", s.MergeRequestsEvents, true)
				eq(t, "comment_on_event_enabled", s.CommentOnEventEnabled, false)
			}),
		typed("mattermost", svcs.GetMattermostService, svcs.SetMattermostService, svcs.DeleteMattermostService,
			func(s *gitlab.MattermostService) *gitlab.Service { return &s.Service },
			func(h *harness) *gitlab.SetMattermostServiceOptions {
				return &gitlab.SetMattermostServiceOptions{
					WebHook:                   gitlab.Ptr("https://mattermost.example.com/hooks/compat"),
					Username:                  gitlab.Ptr("glint"),
					Channel:                   gitlab.Ptr("town-square"),
					NotifyOnlyBrokenPipelines: gitlab.Ptr(false),
					BranchesToBeNotified:      gitlab.Ptr("all"),
					PushEvents:                gitlab.Ptr(false),
					IssuesEvents:              gitlab.Ptr(true),
					ConfidentialIssuesEvents:  gitlab.Ptr(false),
					MergeRequestsEvents:       gitlab.Ptr(true),
					TagPushEvents:             gitlab.Ptr(false),
					NoteEvents:                gitlab.Ptr(false),
					ConfidentialNoteEvents:    gitlab.Ptr(false),
					PipelineEvents:            gitlab.Ptr(true),
					WikiPageEvents:            gitlab.Ptr(false),
					PushChannel:               gitlab.Ptr("mm-push"),
					IssueChannel:              gitlab.Ptr("mm-issues"),
					ConfidentialIssueChannel:  gitlab.Ptr("mm-conf-issues"),
					MergeRequestChannel:       gitlab.Ptr("mm-mrs"),
					NoteChannel:               gitlab.Ptr("mm-notes"),
					ConfidentialNoteChannel:   gitlab.Ptr("mm-conf-notes"),
					TagPushChannel:            gitlab.Ptr("mm-tags"),
					PipelineChannel:           gitlab.Ptr("mm-pipelines"),
					WikiPageChannel:           gitlab.Ptr("mm-wiki"),
				}
			},
			func(t *testing.T, s *gitlab.MattermostService) {
				p := s.Properties
				eq(t, "webhook", p.WebHook, "https://mattermost.example.com/hooks/compat")
				eq(t, "username", p.Username, "glint")
				// channel is stored but, as in GitLab, not among the fields shown.
				eq(t, "channel (not returned)", p.Channel, "")
				eq(t, "notify_only_broken_pipelines", bool(p.NotifyOnlyBrokenPipelines), false)
				eq(t, "branches_to_be_notified", p.BranchesToBeNotified, "all")
				eq(t, "push_channel", p.PushChannel, "mm-push")
				eq(t, "issue_channel", p.IssueChannel, "mm-issues")
				eq(t, "confidential_issue_channel", p.ConfidentialIssueChannel, "mm-conf-issues")
				eq(t, "merge_request_channel", p.MergeRequestChannel, "mm-mrs")
				eq(t, "note_channel", p.NoteChannel, "mm-notes")
				eq(t, "confidential_note_channel", p.ConfidentialNoteChannel, "mm-conf-notes")
				eq(t, "tag_push_channel", p.TagPushChannel, "mm-tags")
				eq(t, "pipeline_channel", p.PipelineChannel, "mm-pipelines")
				eq(t, "wiki_page_channel", p.WikiPageChannel, "mm-wiki")
				eq(t, "push_events", s.PushEvents, false)
				eq(t, "issues_events", s.IssuesEvents, true)
				eq(t, "confidential_issues_events", s.ConfidentialIssuesEvents, false)
				eq(t, "merge_requests_events", s.MergeRequestsEvents, true)
				eq(t, "tag_push_events", s.TagPushEvents, false)
				eq(t, "note_events", s.NoteEvents, false)
				eq(t, "confidential_note_events", s.ConfidentialNoteEvents, false)
				eq(t, "pipeline_events", s.PipelineEvents, true)
				eq(t, "wiki_page_events", s.WikiPageEvents, false)
			}),
		typed("mattermost-slash-commands", svcs.GetMattermostSlashCommandsService, svcs.SetMattermostSlashCommandsService,
			svcs.DeleteMattermostSlashCommandsService,
			func(s *gitlab.MattermostSlashCommandsService) *gitlab.Service { return &s.Service },
			func(h *harness) *gitlab.SetMattermostSlashCommandsServiceOptions {
				return &gitlab.SetMattermostSlashCommandsServiceOptions{
					Token:    gitlab.Ptr(h.secret("mm-slash-token-0c3d")),
					Username: gitlab.Ptr("mm-bot"),
				}
			},
			func(t *testing.T, s *gitlab.MattermostSlashCommandsService) {
				eq(t, "token (must not come back)", s.Properties.Token, "")
				eq(t, "username", s.Properties.Username, "mm-bot")
			}),
		typed("microsoft-teams", svcs.GetMicrosoftTeamsService, svcs.SetMicrosoftTeamsService, svcs.DeleteMicrosoftTeamsService,
			func(s *gitlab.MicrosoftTeamsService) *gitlab.Service { return &s.Service },
			func(h *harness) *gitlab.SetMicrosoftTeamsServiceOptions {
				return &gitlab.SetMicrosoftTeamsServiceOptions{
					WebHook:                   gitlab.Ptr("https://outlook.office.com/webhook/compat"),
					NotifyOnlyBrokenPipelines: gitlab.Ptr(false),
					BranchesToBeNotified:      gitlab.Ptr("protected"),
					PushEvents:                gitlab.Ptr(false),
					IssuesEvents:              gitlab.Ptr(true),
					ConfidentialIssuesEvents:  gitlab.Ptr(false),
					MergeRequestsEvents:       gitlab.Ptr(true),
					TagPushEvents:             gitlab.Ptr(true),
					NoteEvents:                gitlab.Ptr(false),
					ConfidentialNoteEvents:    gitlab.Ptr(false),
					PipelineEvents:            gitlab.Ptr(true),
					WikiPageEvents:            gitlab.Ptr(false),
				}
			},
			func(t *testing.T, s *gitlab.MicrosoftTeamsService) {
				p := s.Properties
				eq(t, "webhook", p.WebHook, "https://outlook.office.com/webhook/compat")
				eq(t, "notify_only_broken_pipelines", bool(p.NotifyOnlyBrokenPipelines), false)
				eq(t, "branches_to_be_notified", p.BranchesToBeNotified, "protected")
				eq(t, "push_events", s.PushEvents, false)
				eq(t, "issues_events", s.IssuesEvents, true)
				eq(t, "confidential_issues_events", s.ConfidentialIssuesEvents, false)
				eq(t, "merge_requests_events", s.MergeRequestsEvents, true)
				eq(t, "tag_push_events", s.TagPushEvents, true)
				eq(t, "note_events", s.NoteEvents, false)
				eq(t, "confidential_note_events", s.ConfidentialNoteEvents, false)
				eq(t, "pipeline_events", s.PipelineEvents, true)
				eq(t, "wiki_page_events", s.WikiPageEvents, false)
			}),
		typed("pipelines-email", svcs.GetPipelinesEmailService, svcs.SetPipelinesEmailService, svcs.DeletePipelinesEmailService,
			func(s *gitlab.PipelinesEmailService) *gitlab.Service { return &s.Service },
			func(h *harness) *gitlab.SetPipelinesEmailServiceOptions {
				return &gitlab.SetPipelinesEmailServiceOptions{
					Recipients:                gitlab.Ptr("a@example.com,b@example.com"),
					NotifyOnlyBrokenPipelines: gitlab.Ptr(false),
					AddPusher:                 gitlab.Ptr(true),
					BranchesToBeNotified:      gitlab.Ptr("default_and_protected"),
					PipelineEvents:            gitlab.Ptr(false),
				}
			},
			func(t *testing.T, s *gitlab.PipelinesEmailService) {
				p := s.Properties
				eq(t, "recipients", p.Recipients, "a@example.com,b@example.com")
				eq(t, "notify_only_broken_pipelines", bool(p.NotifyOnlyBrokenPipelines), false)
				eq(t, "branches_to_be_notified", p.BranchesToBeNotified, "default_and_protected")
				eq(t, "pipeline_events", s.PipelineEvents, false)
			}),
		typed("redmine", svcs.GetRedmineService, svcs.SetRedmineService, svcs.DeleteRedmineService,
			func(s *gitlab.RedmineService) *gitlab.Service { return &s.Service },
			func(h *harness) *gitlab.SetRedmineServiceOptions {
				return &gitlab.SetRedmineServiceOptions{
					NewIssueURL: gitlab.Ptr("https://redmine.example.com/projects/compat/issues/new"),
					ProjectURL:  gitlab.Ptr("https://redmine.example.com/projects/compat"),
					IssuesURL:   gitlab.Ptr("https://redmine.example.com/issues/:id"),
				}
			},
			func(t *testing.T, s *gitlab.RedmineService) {
				p := s.Properties
				eq(t, "new_issue_url", p.NewIssueURL, "https://redmine.example.com/projects/compat/issues/new")
				eq(t, "project_url", p.ProjectURL, "https://redmine.example.com/projects/compat")
				eq(t, "issues_url", p.IssuesURL, "https://redmine.example.com/issues/:id")
			}),
		typed("slack", svcs.GetSlackService, svcs.SetSlackService, svcs.DeleteSlackService,
			func(s *gitlab.SlackService) *gitlab.Service { return &s.Service },
			func(h *harness) *gitlab.SetSlackServiceOptions {
				return &gitlab.SetSlackServiceOptions{
					WebHook:                   gitlab.Ptr("https://hooks.slack.com/services/T000/B000/compat"),
					Username:                  gitlab.Ptr("glint-bot"),
					Channel:                   gitlab.Ptr("#general"),
					NotifyOnlyBrokenPipelines: gitlab.Ptr(false),
					BranchesToBeNotified:      gitlab.Ptr("all"),
					PushChannel:               gitlab.Ptr("#push"),
					IssueChannel:              gitlab.Ptr("#issues"),
					ConfidentialIssueChannel:  gitlab.Ptr("#conf-issues"),
					MergeRequestChannel:       gitlab.Ptr("#mrs"),
					NoteChannel:               gitlab.Ptr("#notes"),
					ConfidentialNoteChannel:   gitlab.Ptr("#conf-notes"),
					TagPushChannel:            gitlab.Ptr("#tags"),
					PipelineChannel:           gitlab.Ptr("#pipelines"),
					WikiPageChannel:           gitlab.Ptr("#wiki"),
					DeploymentChannel:         gitlab.Ptr("#deploys"),
					PushEvents:                gitlab.Ptr(true),
					IssuesEvents:              gitlab.Ptr(false),
					ConfidentialIssuesEvents:  gitlab.Ptr(false),
					MergeRequestsEvents:       gitlab.Ptr(true),
					NoteEvents:                gitlab.Ptr(false),
					ConfidentialNoteEvents:    gitlab.Ptr(false),
					TagPushEvents:             gitlab.Ptr(true),
					PipelineEvents:            gitlab.Ptr(false),
					WikiPageEvents:            gitlab.Ptr(false),
					DeploymentEvents:          gitlab.Ptr(false),
					// Undeclared in GitLab 12.5: ignored, not refused.
					AlertChannel: gitlab.Ptr("#alerts"),
					AlertEvents:  gitlab.Ptr(false),
				}
			},
			func(t *testing.T, s *gitlab.SlackService) {
				p := s.Properties
				eq(t, "webhook", p.WebHook, "https://hooks.slack.com/services/T000/B000/compat")
				eq(t, "username", p.Username, "glint-bot")
				eq(t, "channel (not returned)", p.Channel, "")
				eq(t, "notify_only_broken_pipelines", bool(p.NotifyOnlyBrokenPipelines), false)
				eq(t, "branches_to_be_notified", p.BranchesToBeNotified, "all")
				eq(t, "push_channel", p.PushChannel, "#push")
				eq(t, "issue_channel", p.IssueChannel, "#issues")
				eq(t, "confidential_issue_channel", p.ConfidentialIssueChannel, "#conf-issues")
				eq(t, "merge_request_channel", p.MergeRequestChannel, "#mrs")
				eq(t, "note_channel", p.NoteChannel, "#notes")
				eq(t, "confidential_note_channel", p.ConfidentialNoteChannel, "#conf-notes")
				eq(t, "tag_push_channel", p.TagPushChannel, "#tags")
				eq(t, "pipeline_channel", p.PipelineChannel, "#pipelines")
				eq(t, "wiki_page_channel", p.WikiPageChannel, "#wiki")
				eq(t, "deployment_channel", p.DeploymentChannel, "#deploys")
				eq(t, "alert_channel (undeclared, ignored)", p.AlertChannel, "")
				eq(t, "push_events", s.PushEvents, true)
				eq(t, "issues_events", s.IssuesEvents, false)
				eq(t, "confidential_issues_events", s.ConfidentialIssuesEvents, false)
				eq(t, "merge_requests_events", s.MergeRequestsEvents, true)
				eq(t, "note_events", s.NoteEvents, false)
				eq(t, "confidential_note_events", s.ConfidentialNoteEvents, false)
				eq(t, "tag_push_events", s.TagPushEvents, true)
				eq(t, "pipeline_events", s.PipelineEvents, false)
				eq(t, "wiki_page_events", s.WikiPageEvents, false)
			}),
		typed("slack-slash-commands", svcs.GetSlackSlashCommandsService, svcs.SetSlackSlashCommandsService,
			svcs.DeleteSlackSlashCommandsService,
			func(s *gitlab.SlackSlashCommandsService) *gitlab.Service { return &s.Service },
			func(h *harness) *gitlab.SetSlackSlashCommandsServiceOptions {
				return &gitlab.SetSlackSlashCommandsServiceOptions{Token: gitlab.Ptr(h.secret("slack-slash-token-e81a"))}
			},
			func(t *testing.T, s *gitlab.SlackSlashCommandsService) {
				eq(t, "token (must not come back)", s.Properties.Token, "")
			}),
		typed("youtrack", svcs.GetYouTrackService, svcs.SetYouTrackService, svcs.DeleteYouTrackService,
			func(s *gitlab.YouTrackService) *gitlab.Service { return &s.Service },
			func(h *harness) *gitlab.SetYouTrackServiceOptions {
				return &gitlab.SetYouTrackServiceOptions{
					IssuesURL:   gitlab.Ptr("https://youtrack.example.com/issue/:id"),
					ProjectURL:  gitlab.Ptr("https://youtrack.example.com/projects/compat"),
					Description: gitlab.Ptr("Our YouTrack"),
					PushEvents:  gitlab.Ptr(false),
				}
			},
			func(t *testing.T, s *gitlab.YouTrackService) {
				eq(t, "issues_url", s.Properties.IssuesURL, "https://youtrack.example.com/issue/:id")
				eq(t, "project_url", s.Properties.ProjectURL, "https://youtrack.example.com/projects/compat")
				// GitLab's api_field_names rule hides any name containing "description".
				eq(t, "description (hidden by name)", s.Properties.Description, "")
				eq(t, "push_events", s.PushEvents, false)
			}),
	}
}

// sampleValue is a valid value for a catalog field.
func sampleValue(f catalog.Field) any {
	switch f.Type {
	case catalog.Bool:
		return true
	case catalog.Int:
		return 6659
	}
	if f.Example != "" {
		return f.Example
	}
	if len(f.Values) > 0 {
		return f.Values[len(f.Values)-1]
	}
	if f.URL {
		return "https://example.com/" + strings.ReplaceAll(f.Name, "_", "-")
	}
	return "value-" + f.Name
}

// jsonValue is v as it comes back decoded into an any.
func jsonValue(v any) any {
	if n, ok := v.(int); ok {
		return float64(n)
	}
	return v
}

func listSlugs(t *testing.T, h *harness, pid any) map[string]*gitlab.Service {
	t.Helper()
	list, resp, err := h.c.Services.ListServices(pid)
	must(t, "ListServices", err)
	eq(t, "ListServices status", resp.StatusCode, http.StatusOK)
	out := map[string]*gitlab.Service{}
	for _, s := range list {
		_, dup := out[s.Slug]
		truth(t, !dup, "ListServices lists %s twice", s.Slug)
		out[s.Slug] = s
	}
	return out
}

// checkList checks ListServices names exactly the want slugs, active, with
// their catalog title unless titles gives another (issue trackers show
// their "title" property, as GitLab does).
func checkList(t *testing.T, h *harness, pid any, want []string, titles map[string]string) {
	t.Helper()
	got := listSlugs(t, h, pid)
	var gotSlugs []string
	for slug, s := range got {
		gotSlugs = append(gotSlugs, slug)
		svc, known := catalog.Lookup(slug)
		truth(t, known, "ListServices lists unknown slug %q", slug)
		if known {
			title := svc.Title
			if tt, ok := titles[slug]; ok {
				title = tt
			}
			eq(t, slug+" listed title", s.Title, title)
		}
		eq(t, slug+" listed active", s.Active, true)
		truth(t, s.ID != 0, "%s listed with id 0", slug)
	}
	sort.Strings(gotSlugs)
	want = slices.Sorted(slices.Values(want))
	eq(t, "active services listed", strings.Join(gotSlugs, ","), strings.Join(want, ","))
}

// errorResponse checks err is an *gitlab.ErrorResponse with the status.
func errorResponse(t *testing.T, what string, err error, status int) *gitlab.ErrorResponse {
	t.Helper()
	var er *gitlab.ErrorResponse
	truth(t, errors.As(err, &er), "%s: error %v (%T) is not an *gitlab.ErrorResponse", what, err, err)
	if er == nil {
		t.FailNow()
	}
	eq(t, what+" status", er.StatusCode, status)
	return er
}

func TestCompat(t *testing.T) {
	addr, token := startServer(t)
	rec := &recorder{}
	base := "http://" + addr + "/api/v4"
	client, err := gitlab.NewClient(token, gitlab.WithBaseURL(base), gitlab.WithInterceptor(rec.intercept))
	must(t, "NewClient", err)
	h := &harness{c: client, rec: rec, path: "root/compat"}

	t.Run("project", func(t *testing.T) {
		p, resp, err := client.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("compat")})
		must(t, "CreateProject", err)
		eq(t, "create status", resp.StatusCode, http.StatusCreated)
		eq(t, "name", p.Name, "compat")
		eq(t, "path", p.Path, "compat")
		eq(t, "path_with_namespace", p.PathWithNamespace, "root/compat")
		truth(t, p.ID > 0, "project id %d", p.ID)
		h.pid = p.ID

		byID, _, err := client.Projects.GetProject(p.ID, nil)
		must(t, "GetProject by id", err)
		eq(t, "by id: id", byID.ID, p.ID)
		eq(t, "by id: path_with_namespace", byID.PathWithNamespace, "root/compat")

		byPath, _, err := client.Projects.GetProject("root/compat", nil)
		must(t, "GetProject by path", err)
		eq(t, "by path: id", byPath.ID, p.ID)
		eq(t, "by path: name", byPath.Name, "compat")
		truth(t, byPath.Namespace != nil && byPath.Namespace.FullPath == "root", "by path: namespace %+v", byPath.Namespace)
	})
	if h.pid == 0 {
		t.Fatal("no project; stopping")
	}

	cases := typedCases()
	covered := map[string]bool{}
	for _, tc := range cases {
		covered[tc.slug] = true
	}

	t.Run("typed", func(t *testing.T) {
		for _, tc := range cases {
			t.Run(tc.slug, func(t *testing.T) { tc.configure(t, h) })
		}
	})

	t.Run("list-active-typed", func(t *testing.T) {
		var want []string
		for _, tc := range cases {
			want = append(want, tc.slug)
		}
		checkList(t, h, h.pid, want, nil)
		checkList(t, h, h.path, want, nil)
	})

	t.Run("typed-delete", func(t *testing.T) {
		for _, tc := range cases {
			t.Run(tc.slug, func(t *testing.T) {
				resp, err := tc.del(h)
				must(t, "typed delete", err)
				eq(t, "delete status", resp.StatusCode, http.StatusNoContent)
				s, err := tc.get(h, h.path)
				must(t, "typed get after delete", err)
				eq(t, tc.slug+" active after delete", s.Active, false)
				truth(t, s.ID != 0, "%s: the row stays after DELETE, id %d", tc.slug, s.ID)
				props := checkPropertyKeys(t, tc.slug, h.rawService(t, tc.slug))
				for k, v := range props {
					truth(t, v == nil, "%s: property %s = %v after DELETE, want null", tc.slug, k, v)
				}
			})
		}
		checkList(t, h, h.pid, nil, nil)
	})

	t.Run("generic", func(t *testing.T) {
		for _, svc := range catalog.All() {
			if covered[svc.Slug] {
				continue
			}
			t.Run(svc.Slug, func(t *testing.T) { genericService(t, h, svc) })
		}
		checkList(t, h, h.pid, nil, nil)
	})

	t.Run("errors", func(t *testing.T) { errorMapping(t, h, base) })

	t.Run("no-secret-in-responses", func(t *testing.T) {
		ex := rec.all()
		truth(t, len(ex) > 0, "recorder saw no response")
		for _, e := range ex {
			var leaked []string
			for _, s := range h.secrets {
				if bytes.Contains(e.body, []byte(s)) {
					leaked = append(leaked, s)
				}
			}
			truth(t, len(leaked) == 0, "%s %s (%d) returned secrets %q", e.method, e.path, e.status, leaked)
		}
		t.Logf("%d responses scanned for %d secrets", len(ex), len(h.secrets))
	})

	var typedSlugs, genericSlugs []string
	for _, svc := range catalog.All() {
		if covered[svc.Slug] {
			typedSlugs = append(typedSlugs, svc.Slug)
		} else {
			genericSlugs = append(genericSlugs, svc.Slug)
		}
	}
	eq(t, "every typed case is a catalog service", len(typedSlugs), len(cases))
	t.Logf("typed (%d): %s", len(typedSlugs), strings.Join(typedSlugs, ", "))
	t.Logf("generic (%d): %s", len(genericSlugs), strings.Join(genericSlugs, ", "))
	t.Logf("%d assertions over %d responses", assertions.Load(), len(rec.all()))
}

// genericService drives a service the client has no typed method for
// through NewRequest/Do: PUT every field with a valid value and every
// event flag false, GET it back, list it, DELETE it.
func genericService(t *testing.T, h *harness, svc *catalog.Service) {
	slug := svc.Slug
	opts := map[string]any{}
	want := map[string]any{}
	for _, f := range svc.Fields {
		if f.Internal {
			continue
		}
		v := sampleValue(f)
		if f.Secret {
			v = h.secret(fmt.Sprintf("secret-%s-%s-5e9f", slug, f.Name))
		}
		opts[f.Name] = v
		if !f.Hidden() {
			want[f.Name] = jsonValue(v)
		}
	}
	entityFlag := map[string]bool{catalog.CommentOnEventFlag: true}
	for _, e := range catalog.EntityFlags {
		entityFlag[e.FlagName()] = true
	}
	var flags []string
	for _, e := range svc.Events {
		opts[e.FlagName()] = false
		if entityFlag[e.FlagName()] {
			flags = append(flags, e.FlagName())
		}
	}
	wantTitle := svc.Title
	if svc.TitleFromField != "" {
		if s, ok := opts[svc.TitleFromField].(string); ok {
			wantTitle = s
		}
	}

	check := func(what string, got map[string]any) {
		t.Helper()
		eq(t, what+": active", got["active"], any(true))
		eq(t, what+": slug", got["slug"], any(slug))
		eq(t, what+": title", got["title"], any(wantTitle))
		_, hasID := got["id"].(float64)
		truth(t, hasID, "%s: id %v", what, got["id"])
		for _, flag := range flags {
			eq(t, what+": "+flag, got[flag], any(false))
		}
		props := checkPropertyKeys(t, slug, got)
		for name, v := range want {
			eq(t, what+": properties."+name, props[name], v)
		}
	}

	checkDefaultProperties(t, slug, h.rawService(t, slug))

	var put map[string]any
	resp, err := h.raw(http.MethodPut, h.servicePath("services", slug), opts, &put)
	must(t, "PUT", err)
	eq(t, "PUT status", resp.StatusCode, http.StatusOK)
	check("PUT", put)
	check("GET", h.rawService(t, slug))
	checkList(t, h, h.pid, []string{slug}, map[string]string{slug: wantTitle})

	resp, err = h.raw(http.MethodDelete, h.servicePath("integrations", slug), nil, nil)
	must(t, "DELETE", err)
	eq(t, "DELETE status", resp.StatusCode, http.StatusNoContent)
	after := h.rawService(t, slug)
	eq(t, "after DELETE: active", after["active"], any(false))
	eq(t, "after DELETE: title", after["title"], any(svc.Title))
	for _, flag := range flags {
		eq(t, "after DELETE (flags stay): "+flag, after[flag], any(false))
	}
	props := checkPropertyKeys(t, slug, after)
	for name := range want {
		v, present := props[name]
		truth(t, present && v == nil, "after DELETE: properties.%s = %v (present %v), want null", name, v, present)
	}
}

// errorMapping checks how glint's errors reach a client-go caller.
func errorMapping(t *testing.T, h *harness, base string) {
	c := h.c

	t.Run("project-not-found-by-id", func(t *testing.T) {
		_, resp, err := c.Projects.GetProject(999999, nil)
		er := errorResponse(t, "GET missing project", err, http.StatusNotFound)
		truth(t, errors.Is(err, gitlab.ErrNotFound), "errors.Is(err, gitlab.ErrNotFound) is false for %v", err)
		truth(t, resp != nil && resp.StatusCode == http.StatusNotFound, "response %v", resp)
		// client-go v2 answers every 404 with its ErrNotFound sentinel
		// (Message "Not Found") and drops the body: the server's own
		// message is read from the recorded response.
		eq(t, "client message", er.Message, "Not Found")
		last := h.rec.last()
		eq(t, "recorded status", last.status, http.StatusNotFound)
		truth(t, strings.Contains(string(last.body), `"404 Project Not Found"`), "body %s", last.body)
	})

	t.Run("project-not-found-by-path", func(t *testing.T) {
		_, _, err := c.Projects.GetProject("root/no-such-project", nil)
		errorResponse(t, "GET missing project by path", err, http.StatusNotFound)
		last := h.rec.last()
		eq(t, "recorded path", last.path, "/api/v4/projects/root%2Fno-such-project")
		truth(t, strings.Contains(string(last.body), `"404 Project Not Found"`), "body %s", last.body)
	})

	t.Run("service-of-missing-project", func(t *testing.T) {
		_, _, err := c.Services.GetSlackService(999999)
		errorResponse(t, "GET slack of missing project", err, http.StatusNotFound)
		truth(t, strings.Contains(string(h.rec.last().body), `"404 Project Not Found"`), "body %s", h.rec.last().body)
	})

	t.Run("typed-put-missing-required", func(t *testing.T) {
		_, resp, err := c.Services.SetSlackService(h.pid, &gitlab.SetSlackServiceOptions{Username: gitlab.Ptr("x")})
		er := errorResponse(t, "PUT slack without webhook", err, http.StatusBadRequest)
		eq(t, "response status", resp.StatusCode, http.StatusBadRequest)
		truth(t, strings.Contains(er.Message, "webhook is missing"), "message %q", er.Message)
		eq(t, "body", strings.TrimSpace(string(er.Body)), `{"error":"webhook is missing"}`)
	})

	t.Run("generic-put-missing-required", func(t *testing.T) {
		_, err := h.raw(http.MethodPut, h.servicePath("services", "pushover"),
			map[string]any{"api_key": h.secret("pushover-api-key-aa01"), "user_key": "u", "device": "d", "sound": "s"}, nil)
		er := errorResponse(t, "PUT pushover without priority", err, http.StatusBadRequest)
		truth(t, strings.Contains(er.Message, "priority is missing"), "message %q", er.Message)
	})

	t.Run("local-url-refused", func(t *testing.T) {
		_, _, err := c.Services.SetSlackService(h.pid, &gitlab.SetSlackServiceOptions{WebHook: gitlab.Ptr("http://127.0.0.1:9/hook")})
		// Only the status is asserted: GitLab 12.5 answers a model
		// validation failure with {"message":"400 Bad Request"}, glint
		// with the errors hash (see the report).
		er := errorResponse(t, "PUT slack with a loopback webhook", err, http.StatusBadRequest)
		t.Logf("validation failure body: %s", er.Body)
		s, _, err := c.Services.GetSlackService(h.pid)
		must(t, "GET slack after refused PUT", err)
		eq(t, "slack still inactive", s.Active, false)
	})

	t.Run("delete-if-unmodified-since", func(t *testing.T) {
		s, _, err := c.Services.SetExternalWikiService(h.pid, &gitlab.SetExternalWikiServiceOptions{
			ExternalWikiURL: gitlab.Ptr("https://wiki.example.com/precondition"),
		})
		must(t, "set external wiki", err)
		truth(t, s.UpdatedAt != nil, "no updated_at")
		if s.UpdatedAt == nil {
			return
		}
		old := s.UpdatedAt.Add(-time.Hour).UTC().Format(http.TimeFormat)
		_, err = c.Services.DeleteExternalWikiService(h.pid, gitlab.WithHeader("If-Unmodified-Since", old))
		er := errorResponse(t, "DELETE with an older If-Unmodified-Since", err, http.StatusPreconditionFailed)
		truth(t, strings.Contains(er.Message, "412 Precondition Failed"), "message %q", er.Message)
		still, _, err := c.Services.GetExternalWikiService(h.pid)
		must(t, "get external wiki", err)
		eq(t, "still active after 412", still.Active, true)

		later := s.UpdatedAt.Add(time.Hour).UTC().Format(http.TimeFormat)
		resp, err := c.Services.DeleteExternalWikiService(h.pid, gitlab.WithHeader("If-Unmodified-Since", later))
		must(t, "DELETE with a later If-Unmodified-Since", err)
		eq(t, "delete status", resp.StatusCode, http.StatusNoContent)
		gone, _, err := c.Services.GetExternalWikiService(h.pid)
		must(t, "get external wiki", err)
		eq(t, "inactive after delete", gone.Active, false)
	})

	t.Run("unknown-slug", func(t *testing.T) {
		_, err := h.raw(http.MethodGet, h.servicePath("services", "no-such-service"), nil, nil)
		er := errorResponse(t, "GET unknown slug", err, http.StatusBadRequest)
		truth(t, strings.Contains(er.Message, "service_slug does not have a valid value"), "message %q", er.Message)

		_, err = h.raw(http.MethodPut, h.servicePath("services", "no-such-service"), map[string]any{"x": "y"}, nil)
		errorResponse(t, "PUT unknown slug", err, http.StatusNotFound)
		truth(t, strings.Contains(string(h.rec.last().body), `"404 Not Found"`), "body %s", h.rec.last().body)
	})

	t.Run("unauthenticated", func(t *testing.T) {
		anon, err := gitlab.NewClient("not-a-token", gitlab.WithBaseURL(base))
		must(t, "NewClient", err)
		_, _, err = anon.Services.ListServices(h.pid)
		er := errorResponse(t, "list with a bad token", err, http.StatusUnauthorized)
		truth(t, strings.Contains(er.Message, "401 Unauthorized"), "message %q", er.Message)
	})
}
