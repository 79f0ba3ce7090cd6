package web

import (
	"context"

	"github.com/glint-dev/glint/internal/delivery"
)

// Breaker is the delivery half's circuit breaker (delivery.Pipeline).
type Breaker interface {
	Circuit(ctx context.Context, projectID int64, slug string) (delivery.CircuitState, error)
	Resume(ctx context.Context, projectID int64, slug, why string) (delivery.CircuitState, error)
}

// DeliveryCircuits shows the delivery half's circuit breaker on the pages.
func DeliveryCircuits(b Breaker) Circuits { return breakerCircuits{b} }

type breakerCircuits struct{ b Breaker }

func (c breakerCircuits) State(ctx context.Context, projectID int64, slug string) (CircuitState, error) {
	s, err := c.b.Circuit(ctx, projectID, slug)
	if err != nil {
		return CircuitState{}, err
	}
	out := CircuitState{Open: s.Open(), Failures: s.FailuresInARow}
	if s.PausedUntil != nil {
		out.PausedUntil = *s.PausedUntil
	}
	return out, nil
}

func (c breakerCircuits) Resume(ctx context.Context, projectID int64, slug string) error {
	_, err := c.b.Resume(ctx, projectID, slug, "resumed on the settings page")
	return err
}
