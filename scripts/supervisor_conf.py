"""Writes the supervisord configuration of `make run` from the Procfile (scripts/run.sh).

Every Procfile line becomes a [program:...] that supervisord restarts when it dies: at once
if it had been up for ``startsecs``, otherwise after a back-off that grows by a second per
failed start (supervisord's BACKOFF state), for ever rather than giving up. Output goes to
supervisord's own stdout with a ``name |`` prefix, as honcho did.

A topology runs several copies of a line (NAME=COUNT arguments, scripts/run.sh passes
$SCALE): copies are ``NAME-1``, ``NAME-2``, ..., each with PROCESS_NUM set to its number for
the command to use (a worker's node name, a beat's schedule file); two web copies share one
port with ``gunicorn --reuse-port`` (docs/high-availability.md).

Usage: python scripts/supervisor_conf.py PROCFILE ROOT VAR_DIR [NAME=COUNT ...] > supervisord.conf
"""

import shlex
import sys
from pathlib import Path

PROGRAM = """
[program:{name}]
command=/bin/bash -c {command}
directory={root}
autostart=true
autorestart=true
startsecs=3
startretries=1000000
stopsignal=TERM
stopwaitsecs=20
stopasgroup=true
killasgroup=true
redirect_stderr=true
stdout_logfile=/dev/stdout
stdout_logfile_maxbytes=0
"""

HEADER = """
[supervisord]
nodaemon=true
logfile={var}/supervisord.log
logfile_maxbytes=5MB
logfile_backups=1
loglevel=info
pidfile={var}/supervisord.pid
childlogdir={var}
silent=false
"""


def programs(procfile: Path) -> list[tuple[str, str]]:
    found = []
    for line in procfile.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            found.append((name.strip(), command.strip()))
    return found


COPIES = """numprocs={count}
numprocs_start=1
process_name=%(program_name)s-%(process_num)d
environment=PROCESS_NUM="%(process_num)d"
"""


def parse_scale(args: list[str]) -> dict[str, int]:
    """``["web=2", "beat=2"]`` -> ``{"web": 2, "beat": 2}``."""
    scale = {}
    for arg in args:
        name, _, count = arg.partition("=")
        if not count.isdigit() or int(count) < 1:
            raise SystemExit(f"supervisor_conf: bad scale {arg!r} (NAME=COUNT, COUNT >= 1)")
        scale[name] = int(count)
    return scale


def render(procfile: Path, root: Path, var: Path, scale: dict[str, int] | None = None) -> str:
    scale = scale or {}
    found = programs(procfile)
    unknown = set(scale) - {name for name, _command in found}
    if unknown:
        raise SystemExit(f"supervisor_conf: no Procfile line for {', '.join(sorted(unknown))}")
    out = [HEADER.format(var=var)]
    for name, command in found:
        count = scale.get(name, 1)
        label = f"{name}-$PROCESS_NUM" if count > 1 else name
        # The shell expands ${PORT:-8000} and friends, as under honcho, then becomes the
        # command (exec), so supervisord watches and stops the program itself; its output
        # goes through a `name |` prefix. `%` is supervisord's interpolation.
        wrapped = f'exec {command} > >(exec sed -u "s/^/{label} | /") 2>&1'
        program = PROGRAM.format(
            name=name, command=shlex.quote(wrapped).replace("%", "%%"), root=root
        )
        out.append(program + (COPIES.format(count=count) if count > 1 else ""))
    return "".join(out)


if __name__ == "__main__":
    procfile, root, var = (Path(a) for a in sys.argv[1:4])
    sys.stdout.write(render(procfile, root, var, parse_scale(sys.argv[4:])))
