#!/usr/bin/env bash
# Makes the local PostgreSQL 15 cluster ready for the store tests and prints
# the value for GLINT_TEST_POSTGRES. Idempotent: safe to run again.
#
#   export GLINT_TEST_POSTGRES="$(bash .ci/pg-setup.sh)"
#
# Everything but the DSN goes to stderr.
set -euo pipefail

PG_VERSION=15
PG_CLUSTER=main
PG_PASSWORD=postgres
DSN="postgres://postgres:${PG_PASSWORD}@127.0.0.1:5432/postgres?sslmode=disable"

log() { echo "pg-setup: $*" >&2; }

if ! command -v pg_lsclusters >/dev/null 2>&1 || ! pg_lsclusters -h 2>/dev/null | grep -q "^${PG_VERSION} ${PG_CLUSTER} "; then
	log "installing postgresql-${PG_VERSION}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq "postgresql-${PG_VERSION}" >&2
fi

if ! pg_lsclusters -h | grep -q "^${PG_VERSION} ${PG_CLUSTER} .* online "; then
	log "starting cluster ${PG_VERSION}/${PG_CLUSTER}"
	pg_ctlcluster "${PG_VERSION}" "${PG_CLUSTER}" start >&2
fi

for _ in $(seq 1 60); do
	if pg_isready -q -h 127.0.0.1 -p 5432; then
		break
	fi
	sleep 0.5
done
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
	log "PostgreSQL does not answer on 127.0.0.1:5432"
	exit 1
fi

# The superuser logs in by peer authentication on the socket; the tests,
# running as root, come in over TCP with a password.
su postgres -c "psql -X -q -v ON_ERROR_STOP=1 -c \"ALTER USER postgres PASSWORD '${PG_PASSWORD}'\"" >&2

echo "${DSN}"
