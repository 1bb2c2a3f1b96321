"""The saffire binary the study scripts run: --saffire PATH, else $SAFFIRE, else build/saffire of this
repository. One place, so every script finds it the same way and says the same thing when it cannot."""

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def find_saffire(arg, script):
    """The first executable of --saffire, $SAFFIRE, build/saffire; exits naming `script` and what it tried."""
    if arg:
        candidates = [("--saffire", Path(arg))]
    elif os.environ.get("SAFFIRE"):
        candidates = [("$SAFFIRE", Path(os.environ["SAFFIRE"]))]
    else:
        candidates = [("default", REPO / "build" / "saffire")]
    for _, path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path.resolve())
    tried = ", ".join(f"{p} ({how})" for how, p in candidates)
    sys.exit(f"{script}: no saffire binary; tried {tried}. Build one (bash scripts/build.sh) or pass --saffire PATH "
             "/ set SAFFIRE.")
