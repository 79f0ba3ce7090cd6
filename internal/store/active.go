package store

import "context"

// ActiveService reads a project's service when it is active: a service
// that is absent or inactive is ErrNotFound, as every caller that acts
// only for active services (read-backs, queries, slash commands) treats
// both.
func ActiveService(ctx context.Context, st interface {
	Service(ctx context.Context, projectID int64, slug string) (*Service, error)
}, projectID int64, slug string) (*Service, error) {
	rec, err := st.Service(ctx, projectID, slug)
	if err == nil && !rec.Active {
		return nil, ErrNotFound
	}
	return rec, err
}
