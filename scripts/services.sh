#!/usr/bin/env bash
# Local PostgreSQL and Redis for tests and benchmarks, kept under the git-ignored .local/.
#
#   scripts/services.sh up        install missing packages, start both servers (idempotent)
#   scripts/services.sh down      stop both servers (data is kept)
#   scripts/services.sh env       print the export lines that point the app at them
#   scripts/services.sh status    say what is running
#   scripts/services.sh deps [PKG...]  install missing Debian packages (default: those `up` needs)
#
# No system services are used: initdb, pg_ctl and redis-server run directly, listening on
# 127.0.0.1 only, on non-default ports (PG_PORT, default 55432; REDIS_PORT, default 56379).
# When run as root, both servers run as an unprivileged user (`postgres`, created by the
# Debian package, or SERVICES_USER).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
PG_PORT="${PG_PORT:-55432}"
REDIS_PORT="${REDIS_PORT:-56379}"
PG_DIR="$LOCAL/pg"
PG_DATA="$PG_DIR/data"
PG_SOCKETS="$PG_DIR/run"
PG_LOG="$PG_DIR/postgres.log"
REDIS_DIR="$LOCAL/redis"
DB_NAME=aftersales
DB_USER=aftersales
DB_PASSWORD=aftersales

# Debian packages `up` needs: the servers, plus the browser and CJK fonts for browser tests;
# pango and the fonts WeasyPrint prints the PDF reports with (fonts-noto-cjk, emoji); poppler's
# pdftotext/pdffonts/pdftoppm, with which the tests read those PDFs back.
SERVICE_PACKAGES=(postgresql redis-server chromium chromium-driver fonts-noto-cjk
    libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-color-emoji poppler-utils)

log() { printf 'services: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# --- packages ---------------------------------------------------------------------------

pg_bindir() {
    # Newest installed server version; Debian keeps binaries out of PATH.
    local dir best=""
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/psql" ] || continue
        best="$dir"
    done
    if [ -z "$best" ]; then
        best="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
        [ -x "$best/initdb" ] || return 1
    fi
    printf '%s\n' "$best"
}

dpkg_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

# Is the package's functionality present? Checked by what we use, not by bookkeeping alone.
has_package() {
    case "$1" in
        postgresql) pg_bindir >/dev/null ;;
        redis-server) command -v redis-server >/dev/null && command -v redis-cli >/dev/null ;;
        chromium) command -v chromium >/dev/null ;;
        chromium-driver) command -v chromedriver >/dev/null ;;
        fonts-noto-cjk)
            dpkg_installed fonts-noto-cjk || fc-list ':lang=zh' family 2>/dev/null | grep -qi noto ;;
        poppler-utils) command -v pdftotext >/dev/null && command -v pdffonts >/dev/null ;;
        gettext) command -v msgfmt >/dev/null ;;
        python3) command -v python3 >/dev/null ;;
        python3-venv) python3 -c 'import ensurepip, venv' 2>/dev/null ;;
        *) dpkg_installed "$1" ;;
    esac
}

ensure_packages() {
    local pkg missing=()
    for pkg in "$@"; do
        has_package "$pkg" || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if is_root && command -v apt-get >/dev/null; then
        log "installing ${missing[*]}"
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
        for pkg in "${missing[@]}"; do
            has_package "$pkg" || die "package $pkg installed but still not usable"
        done
        return 0
    fi
    log "missing Debian packages: ${missing[*]}"
    log "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
}

# --- running as an unprivileged user ------------------------------------------------------

SERVICE_USER=""
as_service_user() {
    if [ -n "$SERVICE_USER" ]; then
        runuser -u "$SERVICE_USER" -- "$@"
    else
        "$@"
    fi
}

prepare_dirs() {
    mkdir -p "$PG_DIR" "$PG_SOCKETS" "$REDIS_DIR"
    if is_root; then
        SERVICE_USER="${SERVICES_USER:-postgres}"
        if ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
            log "creating system user $SERVICE_USER"
            useradd --system --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
        fi
        chown -R "$SERVICE_USER": "$PG_DIR" "$REDIS_DIR"
        as_service_user test -w "$PG_DIR" -a -w "$REDIS_DIR" || die \
            "user $SERVICE_USER cannot reach $LOCAL; make its parent directories" \
            "traversable (chmod o+x) or set SERVICES_USER to a user that can"
    fi
    chmod 700 "$PG_SOCKETS"
    # A Unix socket path is limited to 107 bytes.
    local socket="$PG_SOCKETS/.s.PGSQL.$PG_PORT"
    [ "${#socket}" -lt 100 ] || die "socket path too long ($socket); move the project"
}

# --- PostgreSQL --------------------------------------------------------------------------

pg_running() {
    [ -f "$PG_DATA/PG_VERSION" ] && as_service_user "$PGBIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

pg_init() {
    [ -f "$PG_DATA/PG_VERSION" ] && return 0
    log "initialising PostgreSQL cluster in $PG_DATA"
    # Superuser connects only through the private socket; everybody else with a password.
    as_service_user "$PGBIN/initdb" -D "$PG_DATA" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" \
        || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
    printf "\ninclude_if_exists = 'local.conf'\n" | as_service_user tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

pg_start() {
    # Rewritten on every start so PG_PORT changes take effect.
    as_service_user tee "$PG_DATA/local.conf" >/dev/null <<EOF
# Written by scripts/services.sh; edits are overwritten.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKETS'
unix_socket_permissions = 0700
EOF
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    as_service_user "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null || {
        tail -n 20 "$PG_LOG" >&2 || true
        die "PostgreSQL did not start (log: $PG_LOG)"
    }
}

pg_admin() {
    as_service_user "$PGBIN/psql" -h "$PG_SOCKETS" -p "$PG_PORT" -U postgres -d postgres \
        -v ON_ERROR_STOP=1 -qAt "$@"
}

pg_provision() {
    pg_admin <<SQL
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
        CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
    ELSE
        ALTER ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
    END IF;
END
\$\$;
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_USER'
    WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME')\gexec
SQL
}

pg_stop() {
    if pg_running; then
        log "stopping PostgreSQL"
        as_service_user "$PGBIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null
    fi
}

# --- Redis -------------------------------------------------------------------------------

redis_ping() {
    [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
}

redis_start() {
    log "starting Redis on 127.0.0.1:$REDIS_PORT"
    as_service_user redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
        --daemonize yes --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" \
        --logfile "$REDIS_DIR/redis.log" --save "" --appendonly no
    local _
    for _ in $(seq 50); do
        redis_ping && return 0
        sleep 0.2
    done
    tail -n 20 "$REDIS_DIR/redis.log" >&2 || true
    die "Redis did not start (log: $REDIS_DIR/redis.log)"
}

redis_stop() {
    if redis_ping; then
        log "stopping Redis"
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    fi
    local _
    for _ in $(seq 50); do
        redis_ping || return 0
        sleep 0.2
    done
    die "Redis on port $REDIS_PORT did not stop"
}

# --- commands ----------------------------------------------------------------------------

cmd_up() {
    ensure_packages "${SERVICE_PACKAGES[@]}"
    PGBIN="$(pg_bindir)"
    prepare_dirs
    pg_init
    pg_running || pg_start
    as_service_user "$PGBIN/pg_isready" -q -h "$PG_SOCKETS" -p "$PG_PORT" \
        || die "the PostgreSQL in $PG_DATA runs on another port than $PG_PORT; run down first"
    pg_provision
    redis_ping || redis_start
    log "up: PostgreSQL 127.0.0.1:$PG_PORT, Redis 127.0.0.1:$REDIS_PORT"
}

cmd_down() {
    if PGBIN="$(pg_bindir)"; then
        if is_root; then SERVICE_USER="${SERVICES_USER:-postgres}"; fi
        pg_stop
    fi
    if command -v redis-cli >/dev/null; then
        redis_stop
    fi
    log "down"
}

cmd_env() {
    echo "export DATABASE_URL=postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/$DB_NAME"
    echo "export CELERY_BROKER_URL=redis://127.0.0.1:$REDIS_PORT/0"
    echo "export CACHE_URL=redis://127.0.0.1:$REDIS_PORT/1"
}

cmd_status() {
    local rc=0
    if PGBIN="$(pg_bindir)" && "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
        echo "postgresql: running on 127.0.0.1:$PG_PORT"
    else
        echo "postgresql: not running"; rc=1
    fi
    if command -v redis-cli >/dev/null && redis_ping; then
        echo "redis: running on 127.0.0.1:$REDIS_PORT"
    else
        echo "redis: not running"; rc=1
    fi
    return "$rc"
}

case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    env) cmd_env ;;
    status) cmd_status ;;
    deps) shift; if [ "$#" -gt 0 ]; then ensure_packages "$@"; else ensure_packages "${SERVICE_PACKAGES[@]}"; fi ;;
    *) echo "usage: $0 up|down|env|status|deps [PKG...]" >&2; exit 2 ;;
esac
