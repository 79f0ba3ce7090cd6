package delivery

import (
	"context"
	"errors"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

// maxTestResponse bounds the Response of a Test, as the delivery log
// keeps 4 KiB of an answer.
const maxTestResponse = 4 << 10

// testOwn runs the Test of a service that acts on no event (External
// Wiki, Prometheus): its own request, read its own way, GitLab's result
// text in Response on success and in Error on failure.
func (d *Deliverer) testOwn(ctx context.Context, p *store.Project, slug string, tester integration.Tester) (TestOutcome, error) {
	svc, _ := catalog.Lookup(slug)
	rec, err := store.ActiveService(ctx, d.st, p.ID, slug)
	if errors.Is(err, store.ErrNotFound) {
		return TestOutcome{Error: "the service is not active"}, nil
	}
	if err != nil {
		return TestOutcome{}, err
	}
	conf, err := settings.Resolve(svc, rec, d.sealer)
	if err != nil {
		return TestOutcome{Error: "cannot open the service's secrets: " + err.Error()}, nil
	}
	q, err := tester(conf, ProjectInfo(p, d.cfg.BaseURL))
	if err != nil {
		return TestOutcome{Error: err.Error()}, nil
	}
	answer := d.client.Fetch(ctx, q.Request)
	res := q.Read(answer)
	out := TestOutcome{Requests: 1, StatusCode: answer.Status, Success: res.Success}
	if res.Success {
		out.Response = res.Result
		if len(out.Response) > maxTestResponse {
			out.Response = strings.ToValidUTF8(out.Response[:maxTestResponse], "")
		}
	} else {
		out.Error = res.Result
		if out.Error == "" && answer.Err != nil {
			out.Error = answer.Err.Error()
		}
		if out.Error == "" {
			out.Error = "no answer GitLab would accept"
		}
	}
	return out, nil
}
