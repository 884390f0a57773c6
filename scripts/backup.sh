#!/usr/bin/env bash
# Back up the database and the uploads into one dated directory; keep the newest BACKUP_KEEP.
#
#   scripts/backup.sh [DEST]        DEST: BACKUP_DIR, else var/backups
#
# Reads DATABASE_URL (postgres://...) and MEDIA_ROOT (default var/media, as in settings).
# Writes DEST/<UTC time>/ with db.dump (pg_dump custom format: compressed, restored by
# pg_restore, table by table), media.tar.gz (MEDIA_ROOT's contents), SHA256SUMS and
# MANIFEST. The directory is built under a .partial name and renamed when complete, so a
# directory with a final name is a whole backup. pg_dump takes a consistent snapshot
# without stopping the service; uploads are files written once, so a photo saved during
# the tar is at worst missing from this backup (its row is then in the next one too).
# Restore with scripts/restore.sh (docs/operations.md, "Backups").
#
# PG_BINDIR picks the PostgreSQL client programs (pg_dump must not be older than the
# server); default: those on PATH.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-${BACKUP_DIR:-$ROOT/var/backups}}"
KEEP="${BACKUP_KEEP:-7}"
MEDIA="${MEDIA_ROOT:-${VAR_DIR:-$ROOT/var}/media}"
PG_DUMP="${PG_BINDIR:+$PG_BINDIR/}pg_dump"

die() { printf 'backup: %s\n' "$*" >&2; exit 1; }

[[ "${DATABASE_URL:-}" =~ ^postgres(ql)?:// ]] || die "DATABASE_URL must be a postgres:// URL"
[[ "$KEEP" =~ ^[1-9][0-9]*$ ]] || die "BACKUP_KEEP must be a positive integer, got $KEEP"
mkdir -p "$DEST"

stamp="$(date -u +%Y%m%dT%H%M%S.%3NZ)"  # milliseconds: two runs in a second differ
final="$DEST/$stamp"
partial="$final.partial"
[ -e "$final" ] && die "$final exists already"
rm -rf "$partial"
mkdir "$partial"
trap 'rm -rf "$partial"' EXIT

"$PG_DUMP" --format=custom --no-owner --no-privileges --file="$partial/db.dump" "$DATABASE_URL"
if [ -d "$MEDIA" ]; then
    tar -C "$MEDIA" -czf "$partial/media.tar.gz" .
else
    tar -czf "$partial/media.tar.gz" -T /dev/null  # no uploads yet: an empty archive
fi
{
    echo "created_at=$stamp"
    echo "pg_dump=$("$PG_DUMP" --version)"
    echo "media_root=$MEDIA"
    echo "git_commit=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
} > "$partial/MANIFEST"
(cd "$partial" && sha256sum db.dump media.tar.gz MANIFEST > SHA256SUMS)
mv "$partial" "$final"
trap - EXIT

# Retention: the newest KEEP complete backups stay (names sort by time).
mapfile -t backups < <(find "$DEST" -mindepth 1 -maxdepth 1 -type d -name '2*Z' | sort)
excess=$(( ${#backups[@]} - KEEP ))
for (( i = 0; i < excess; i++ )); do
    rm -rf -- "${backups[$i]}"
done
echo "$final"
