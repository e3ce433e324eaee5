"""Show a file in the user's browser: $BROWSER from the Environment, else the desktop's default.

$BROWSER is read the way Python's webbrowser module reads it (commands separated by the path
separator, `%s` standing for the address), but from the environment the run was given, and run
without a shell.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path
from typing import Mapping


def open_file(path: Path, environ: Mapping[str, str]) -> bool:
    """Whether a browser was started."""
    uri = path.resolve().as_uri()
    for command in filter(None, environ.get("BROWSER", "").split(os.pathsep)):
        words = shlex.split(command)
        args = [w.replace("%s", uri) for w in words] if any("%s" in w for w in words) else [*words, uri]
        try:
            subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True, env=dict(environ))
            return True
        except OSError:
            continue
    import webbrowser

    return webbrowser.open(uri)
