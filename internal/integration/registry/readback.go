package registry

import (
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/bamboo"
	"github.com/glint-dev/glint/internal/integration/buildkite"
	"github.com/glint-dev/glint/internal/integration/droneci"
	"github.com/glint-dev/glint/internal/integration/jenkins"
	"github.com/glint-dev/glint/internal/integration/mockci"
	"github.com/glint-dev/glint/internal/integration/teamcity"
)

// statusReaders are the CI services GitLab 12.5 reads build statuses back
// from (their commit_status and build_page; spec §19). Jenkins CI (EE)
// has none: Jenkins reports to GitLab's commit status API itself.
var statusReaders = map[string]integration.StatusReader{
	"bamboo":             bamboo.Status,
	"buildkite":          buildkite.Status,
	"drone-ci":           droneci.Status,
	"jenkins-deprecated": jenkins.DeprecatedStatus,
	"mock-ci":            mockci.Status,
	"teamcity":           teamcity.Status,
}

// StatusReader returns how glint asks the service for a commit's status,
// if it is one GitLab reads back from.
func StatusReader(slug string) (integration.StatusReader, bool) {
	r, ok := statusReaders[slug]
	return r, ok
}
