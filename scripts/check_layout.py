#!/usr/bin/env python3
"""Checks saffire's layout: library dependencies (by #include) and one README.md per top-level folder.

Usage: check_layout.py [ROOT]   (ROOT: the source tree, default the parent of this script's folder)

Every .hpp/.cpp/.cu/.h/.cuh under arch, models, traces, sim and abft is scanned for includes of saffire
headers (`#include "<folder>/..."`, also in angle brackets, or a path relative to the including file).
Both the including file and the header are mapped to a library: sim/faults/ is `faults`, sim/memory/ is
`memory`, sim/cli/ is `cli`, the rest of sim/ is `sim`, every other folder is the library of its name. An include that ALLOWED below
does not permit prints `file:line: <lib> may not include <other lib> (<header>)`. A top-level folder of
TOP_LEVEL_FOLDERS that exists without a README.md is reported too. Exit 1 on any finding, else 0.
Python 3 standard library only; CTest runs it as `layout_dependencies` (tests/CMakeLists.txt).
"""
import pathlib
import re
import sys

# What each library may include besides itself. Keep in step with the READMEs' tables.
ALLOWED = {
    "arch": set(),
    "models": {"arch"},
    "traces": set(),
    "memory": {"arch"},
    "faults": {"arch", "models"},
    "abft": {"arch", "models", "faults"},
    "sim": {"arch", "models", "traces", "memory", "faults", "abft"},
    "cli": {"arch", "models", "traces", "memory", "faults", "abft", "sim"},
    # Not libraries: nothing above may include them (bench/, fuzz/ and tests/ themselves may include everything,
    # so they are not scanned).
    "tests": None,
    "bench": None,
    "fuzz": None,
}
# Single headers a library may include although ALLOWED does not name their library.
ALLOWED_HEADERS = {
    # TraceError is a ConfigError, the one bad-input error type (header-only: saffire_traces links nothing).
    "traces": {"arch/config_error.hpp"},
}
SCANNED_FOLDERS = ("arch", "models", "traces", "sim", "abft")
SOURCE_SUFFIXES = {".hpp", ".cpp", ".cu", ".h", ".cuh"}
TOP_LEVEL_FOLDERS = ("arch", "models", "traces", "sim", "abft", "tests", "experiments", "bench", "scripts", "fuzz")

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def library_of(rel_path: pathlib.PurePosixPath):
    """The library a path (relative to the root) belongs to, or None when it is not saffire's."""
    parts = rel_path.parts
    if not parts or parts[0] not in ALLOWED:
        return None
    if parts[0] == "sim" and len(parts) > 2 and parts[1] in ("faults", "memory", "cli"):
        return parts[1]
    return parts[0]


def resolve_include(root: pathlib.Path, source: pathlib.Path, header: str):
    """The include as a root-relative path when it names a saffire header, else None."""
    first = header.split("/", 1)[0]
    if first in ALLOWED and "/" in header:  # "sim/x.hpp", never a standard header such as <memory>
        return pathlib.PurePosixPath(header)
    # A path relative to the including file ("x.hpp", "../sim/y.hpp") that exists in the tree.
    candidate = (source.parent / header).resolve()
    try:
        rel = candidate.relative_to(root.resolve())
    except ValueError:
        return None
    if candidate.is_file() and library_of(pathlib.PurePosixPath(rel.as_posix())) is not None:
        return pathlib.PurePosixPath(rel.as_posix())
    return None


def check_includes(root: pathlib.Path):
    problems, files = [], 0
    for folder in SCANNED_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for source in sorted(base.rglob("*")):
            if source.suffix not in SOURCE_SUFFIXES or not source.is_file():
                continue
            files += 1
            rel = pathlib.PurePosixPath(source.relative_to(root).as_posix())
            lib = library_of(rel)
            with open(source, encoding="utf-8", errors="replace") as f:
                for line_no, line in enumerate(f, start=1):
                    m = INCLUDE_RE.match(line)
                    if not m:
                        continue
                    header = m.group(2).strip()
                    target = resolve_include(root, source, header)
                    if target is None:
                        continue  # a system or third-party header
                    other = library_of(target)
                    if other == lib:
                        continue
                    allowed = ALLOWED.get(lib) or set()
                    if other not in allowed and str(target) not in ALLOWED_HEADERS.get(lib, set()):
                        problems.append(f"{rel}:{line_no}: {lib} may not include {other} ({header})")
    return problems, files


def check_readmes(root: pathlib.Path):
    return [f"{folder}/README.md: missing (every top-level folder has a README.md)"
            for folder in TOP_LEVEL_FOLDERS
            if (root / folder).is_dir() and not (root / folder / "README.md").is_file()]


def main(argv):
    if len(argv) > 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    root = pathlib.Path(argv[1]) if len(argv) == 2 else pathlib.Path(__file__).resolve().parent.parent
    if not root.is_dir():
        print(f"check_layout: {root}: not a directory", file=sys.stderr)
        return 2
    problems, files = check_includes(root)
    if files == 0:
        problems.append(f"{root}: no sources found under {', '.join(SCANNED_FOLDERS)} (wrong root?)")
    problems += check_readmes(root)
    for p in problems:
        print(p)
    print(f"check_layout: {files} files scanned, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
