#!/usr/bin/env python3
"""Shows that scripts/check_layout.py can fail: it runs the script on temporary trees with one planted
problem each and expects exit 1 and the problem's message (and exit 0 on a clean tree).

Usage: test_check_layout.py CHECK_LAYOUT_PY SOURCE_DIR   (CTest: layout_check_fails_on_bad_include)
"""
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

TOP_LEVEL = ("arch", "models", "traces", "sim", "abft", "tests", "experiments", "bench", "scripts")
SCANNED = ("arch", "models", "traces", "sim", "abft")
failures = []


def run(script, root):
    p = subprocess.run([sys.executable, str(script), str(root)], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def expect(name, script, root, code, messages=(), absent=()):
    got, out = run(script, root)
    if got != code:
        failures.append(f"{name}: expected exit {code}, got {got}:\n{out}")
    for m in messages:
        if m not in out:
            failures.append(f"{name}: expected '{m}' in:\n{out}")
    for m in absent:
        if m in out:
            failures.append(f"{name}: did not expect '{m}' in:\n{out}")
    print(f"{name}: exit {got}")


def count_problems(out):
    return int(re.search(r"(\d+) problem\(s\)", out).group(1))


def write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def small_tree(root):
    """A tree whose includes all follow the allowed table, one README per top-level folder."""
    for folder in TOP_LEVEL:
        write(root, f"{folder}/README.md", f"# {folder}/\n")
    write(root, "arch/a.hpp", "#pragma once\n#include <vector>\n")
    write(root, "arch/timing/t.hpp", '#pragma once\n#include "arch/a.hpp"\n')
    write(root, "models/m.hpp", '#pragma once\n#include "arch/a.hpp"\n#include "toml++/toml.hpp"\n')
    write(root, "traces/w.hpp", "#pragma once\n")
    write(root, "sim/faults/f.hpp", '#pragma once\n#include "models/m.hpp"\n#include "arch/timing/t.hpp"\n')
    write(root, "abft/d.hpp", '#pragma once\n#include "sim/faults/f.hpp"\n')
    write(root, "sim/s.cpp", '#include "abft/d.hpp"\n#include "traces/w.hpp"\n#include "sim/faults/f.hpp"\n')
    write(root, "sim/cli/main.cpp", '#include "sim/s.hpp"\n#include "abft/d.hpp"\n')


def main(argv):
    script, source = pathlib.Path(argv[1]), pathlib.Path(argv[2])
    with tempfile.TemporaryDirectory(prefix="saffire_layout_") as tmp:
        tmp = pathlib.Path(tmp)

        # 1. A copy of the real tree (the scanned folders, the other folders' READMEs) with one bad include.
        copy = tmp / "copy"
        for folder in SCANNED:
            shutil.copytree(source / folder, copy / folder,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "figures"))
        for folder in TOP_LEVEL:
            if folder not in SCANNED and (source / folder / "README.md").is_file():
                write(copy, f"{folder}/README.md", (source / folder / "README.md").read_text())
        # The real tree's own state is layout_dependencies' business: here only one more problem must show.
        _, out = run(script, copy)
        before = count_problems(out)
        write(copy, "arch/x.hpp", '#pragma once\n#include "sim/array_model.hpp"\n')
        expect("real tree copy + arch/x.hpp -> sim", script, copy, 1,
               ["arch/x.hpp:2: arch may not include sim (sim/array_model.hpp)", f"{before + 1} problem(s)"])

        # 2. Small trees: clean, then one problem each.
        cases = [
            ("clean", None, 0, ["0 problem(s)"]),
            ("faults -> abft", ("sim/faults/g.cpp", '#include "abft/d.hpp"\n'), 1,
             ["sim/faults/g.cpp:1: faults may not include abft (abft/d.hpp)"]),
            ("sim -> cli", ("sim/engine.cpp", '\n#include "sim/cli/commands.hpp"\n'), 1,
             ["sim/engine.cpp:2: sim may not include cli (sim/cli/commands.hpp)"]),
            ("traces -> arch", ("traces/r.cpp", '#  include <arch/a.hpp>\n'), 1,
             ["traces/r.cpp:1: traces may not include arch (arch/a.hpp)"]),
            ("traces -> arch/config_error.hpp (the one allowed header)",
             ("traces/e.cpp", '#include "arch/config_error.hpp"\n'), 0, ["0 problem(s)"]),
            ("models -> faults, relative", ("models/llm/h.cpp", '#include "../../sim/faults/f.hpp"\n'), 1,
             ["models/llm/h.cpp:1: models may not include faults (../../sim/faults/f.hpp)"]),
            ("abft -> tests", ("abft/e.cpp", '#include "tests/test_support.hpp"\n'), 1,
             ["abft/e.cpp:1: abft may not include tests (tests/test_support.hpp)"]),
            ("missing README", ("bench/README.md", None), 1, ["bench/README.md: missing"]),
        ]
        for i, (name, plant, code, messages) in enumerate(cases):
            root = tmp / f"small{i}"
            small_tree(root)
            if plant is not None:
                rel, text = plant
                if text is None:
                    (root / rel).unlink()
                else:
                    write(root, rel, text)
            expect(name, script, root, code, messages, absent=[] if code else ["may not include"])

        # 3. A commented-out include is not an include; an empty root is an error, not a pass.
        root = tmp / "comment"
        small_tree(root)
        write(root, "arch/c.hpp", '// #include "sim/s.hpp"\n')
        expect("commented include", script, root, 0, ["0 problem(s)"])
        (tmp / "empty").mkdir()
        expect("empty root", script, tmp / "empty", 1, ["no sources found"])

    for f in failures:
        print("FAIL:", f)
    print(f"test_check_layout: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
