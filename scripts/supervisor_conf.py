"""Writes the supervisord configuration of `make run` from the Procfile (scripts/run.sh).

Every Procfile line becomes a [program:...] that supervisord restarts when it dies: at once
if it had been up for ``startsecs``, otherwise after a back-off that grows by a second per
failed start (supervisord's BACKOFF state), for ever rather than giving up. Output goes to
supervisord's own stdout with a ``name |`` prefix, as honcho did.

Usage: python scripts/supervisor_conf.py PROCFILE ROOT VAR_DIR > supervisord.conf
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


def render(procfile: Path, root: Path, var: Path) -> str:
    out = [HEADER.format(var=var)]
    for name, command in programs(procfile):
        # The shell expands ${PORT:-8000} and friends, as under honcho, then becomes the
        # command (exec), so supervisord watches and stops the program itself; its output
        # goes through a `name |` prefix. `%` is supervisord's interpolation.
        wrapped = f"exec {command} > >(exec sed -u 's/^/{name} | /') 2>&1"
        out.append(
            PROGRAM.format(name=name, command=shlex.quote(wrapped).replace("%", "%%"), root=root)
        )
    return "".join(out)


if __name__ == "__main__":
    procfile, root, var = (Path(a) for a in sys.argv[1:4])
    sys.stdout.write(render(procfile, root, var))
