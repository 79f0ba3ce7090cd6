package settings

import (
	"context"
	"errors"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/store"
)

// Load returns a project's stored service, or the unsaved default object
// GitLab 12.5 shows for a service never configured (ID 0).
func Load(ctx context.Context, st store.Store, s *catalog.Service, projectID int64) (*store.Service, error) {
	rec, err := st.Service(ctx, projectID, s.Slug)
	if errors.Is(err, store.ErrNotFound) {
		rec = &store.Service{ProjectID: projectID}
		Initialize(s, rec)
		return rec, nil
	}
	return rec, err
}
