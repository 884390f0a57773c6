#!/usr/bin/env bash
# Restore a backup of scripts/backup.sh into a NEW database and a NEW media directory.
#
#   scripts/restore.sh BACKUP_DIR TARGET_DATABASE_URL TARGET_MEDIA_ROOT
#
# The target database is created when it does not exist (the URL's user needs CREATEDB)
# and must be empty when it does; the media directory must not exist or be empty. Nothing
# is ever restored over live data: point the application at the restored database and
# media directory (DATABASE_URL, MEDIA_ROOT) once you have checked them, then run
# `manage.py migrate` (a no-op on a backup of the same version). The checksums are verified
# first; pg_restore runs in one transaction and stops at the first error.
set -euo pipefail

die() { printf 'restore: %s\n' "$*" >&2; exit 1; }
[ "$#" -eq 3 ] || die "usage: $0 BACKUP_DIR TARGET_DATABASE_URL TARGET_MEDIA_ROOT"
BACKUP="$1" TARGET="$2" MEDIA="$3"
PG="${PG_BINDIR:+$PG_BINDIR/}"

[ -f "$BACKUP/db.dump" ] && [ -f "$BACKUP/media.tar.gz" ] || die "$BACKUP is not a backup"
[[ "$TARGET" =~ ^postgres(ql)?://[^/]*/([A-Za-z0-9_]+)$ ]] \
    || die "TARGET_DATABASE_URL must be postgres://user:password@host:port/name"
name="${BASH_REMATCH[2]}"
(cd "$BACKUP" && sha256sum --check --quiet SHA256SUMS) || die "checksums do not match"
if [ -e "$MEDIA" ] && [ -n "$(ls -A "$MEDIA")" ]; then
    die "$MEDIA is not empty: restore the uploads into a new directory"
fi

if ! "${PG}psql" "$TARGET" -Atqc 'select 1' >/dev/null 2>&1; then
    maintenance="${TARGET%/*}/postgres"
    "${PG}psql" "$maintenance" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$name\"" \
        || die "cannot create database $name"
fi
tables="$("${PG}psql" "$TARGET" -Atqc \
    "select count(*) from pg_tables where schemaname not in ('pg_catalog', 'information_schema')")"
[ "$tables" = 0 ] || die "database $name is not empty ($tables tables): restore into a new one"

"${PG}pg_restore" --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname="$TARGET" "$BACKUP/db.dump"
mkdir -p "$MEDIA"
tar -C "$MEDIA" -xzf "$BACKUP/media.tar.gz"
echo "restored $BACKUP into database $name and $MEDIA"
