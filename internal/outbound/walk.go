package outbound

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/glint-dev/glint/internal/integration"
)

// Sender makes one call of a walk: Client.Do, or a stand-in where a test
// computes what a target would answer without sending anything.
type Sender func(ctx context.Context, r integration.Request) (*Result, error)

// ErrAnswerTooLarge is wrapped by Result.AnswerErr, and then by Walk's
// error, for a request with a Then whose answer is longer than MaxAnswer.
var ErrAnswerTooLarge = fmt.Errorf("the answer is larger than %d bytes (1 MiB), the most glint reads of an answer that decides what is sent next", MaxAnswer)

// FollowUpError is Walk's error when what follows a request cannot be
// decided from its answer: Then refused it (its error is Err, as it is),
// or the answer was too large (Err is Result.AnswerErr, which names the
// call, its URL redacted). Retrying cannot help: Classify calls it final.
type FollowUpError struct{ Err error }

func (e *FollowUpError) Error() string { return e.Err.Error() }

func (e *FollowUpError) Unwrap() error { return e.Err }

// Walk sends reqs in order through send, as a delivery does, and returns
// the last result had. It stops at the first call that fails or whose
// result is not a success (see Classify), and returns that result and
// error. After a success of a request with a Then, Then is given the
// whole answer (Result.Answer) and what it returns is walked right away,
// before the requests after this one (depth first). A Then error, or an
// answer larger than MaxAnswer, ends the walk with a *FollowUpError and
// that request's result.
//
// An email the server refused for good (a 5xx reply to one recipient's
// mail) does not stop the mails to the other recipients: the walk goes on
// and ends with the first such refusal's result.
//
// A 404 answer to an Optional request is skipped with what its Then would
// have sent (Asana's task that does not exist).
//
// It is the one walk of follow-ups: the deliverer, "Test settings", the
// integrations' tests and the end-to-end expectations all use it.
func Walk(ctx context.Context, send Sender, reqs []integration.Request) (*Result, error) {
	var last, refused *Result
	for _, r := range reqs {
		res, err := send(ctx, r)
		if err != nil {
			return res, err
		}
		if o := Classify(res, nil); o.Reason != "" {
			if r.Optional && res.Status == http.StatusNotFound {
				continue // not there: skipped, the rest goes on; not the result
			}
			if r.Mail != nil && !o.Retry {
				refused = cmp.Or(refused, res)
				last = res
				continue
			}
			return res, nil
		}
		last = res
		if r.Then == nil {
			continue
		}
		if res.AnswerErr != nil {
			return res, &FollowUpError{res.AnswerErr}
		}
		more, err := r.Then(res.Answer)
		if err != nil {
			return res, &FollowUpError{err}
		}
		if len(more) == 0 {
			continue
		}
		if last, err = Walk(ctx, send, more); err != nil || Classify(last, nil).Reason != "" {
			return last, err
		}
	}
	return cmp.Or(refused, last), nil
}

// Walk is Walk through c.Do.
func (c *Client) Walk(ctx context.Context, reqs []integration.Request) (*Result, error) {
	return Walk(ctx, c.Do, reqs)
}

// isFollowUp reports whether err is a *FollowUpError.
func isFollowUp(err error) bool {
	var f *FollowUpError
	return errors.As(err, &f)
}
