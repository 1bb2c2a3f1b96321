"""What the study scripts share: the saffire binary they run (--saffire PATH, else $SAFFIRE, else
build/saffire of this repository) and the shrinking of their committed PNGs."""

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


def shrink_png(path):
    """Re-save as a 256-colour palette PNG (about a third of the size, no visible change) when Pillow is there."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)
