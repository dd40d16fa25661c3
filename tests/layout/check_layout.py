#!/usr/bin/env python3
"""Checks the include arrows of keel's source folders (README, "Layout").

Every source folder is a room on a floor of its area. A file may include
headers of its own room and of rooms on lower floors of its own area, and of
the areas its area builds on; never of a higher floor ("back up a level"),
never of an area it does not build on. Modules (x.h with x.cc) must not
include each other, directly or around a longer cycle (a header without a .cc,
named after a module, x_impl.h beside x.h, is part of that module). Only engine/ reads the
storage layout (engine/log_format.h). Prints each violation as
FILE:LINE: message and exits 1 when there is any.
"""
import os
import re
import sys

# Each area's floors, lowest first. A folder not listed is an error, so a
# new room has to be placed here on purpose.
FLOORS = {
    "engine": ["engine", "engine/schema", "engine/state", "engine/log", "engine/ingest", "engine/audit"],
    "rules": ["rules/cel", "rules", "rules/load", "rules/react", "rules/audit"],
    "connectors": ["connectors", "connectors/http", "connectors/ndjson", "connectors/kafka", "connectors/webhooks", "connectors/actions", "connectors/sinks"],
    "server": ["server/api", "server"],
    "cli": ["cli", "cli/bench"],
}
# Which areas an area may include (besides itself).
BUILDS_ON = {
    "engine": set(),
    "rules": {"engine"},
    "connectors": {"engine"},
    "server": {"engine", "rules", "connectors"},
    "cli": {"engine", "rules", "connectors", "server"},
}
STORAGE_LAYOUT = "engine/log_format.h"
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def floor_of(path):
    folder = os.path.dirname(path)
    area = folder.split("/")[0]
    if area not in FLOORS:
        return None, None
    if folder not in FLOORS[area]:
        return area, -1
    return area, FLOORS[area].index(folder)


def project_includes(root, path):
    with open(os.path.join(root, path), encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            match = INCLUDE.match(line)
            if match and os.path.exists(os.path.join(root, match.group(1))):
                yield number, match.group(1)


def source_files(root):
    for area in FLOORS:
        for folder, _, files in os.walk(os.path.join(root, area)):
            for name in sorted(files):
                if name.endswith((".h", ".cc")):
                    yield os.path.relpath(os.path.join(folder, name), root)


def check_arrows(root, files):
    problems = []
    for path in files:
        area, floor = floor_of(path)
        if floor == -1:
            problems.append(f"{path}:1: folder {os.path.dirname(path)} has no floor in tests/layout/check_layout.py")
            continue
        for number, header in project_includes(root, path):
            to_area, to_floor = floor_of(header)
            if to_area is None:
                continue
            where = f"{path}:{number}"
            if header == STORAGE_LAYOUT and area != "engine":
                problems.append(f"{where}: only engine/ reads the storage layout; {header} is included here")
            elif to_area != area and to_area not in BUILDS_ON[area]:
                problems.append(f"{where}: {area}/ does not build on {to_area}/ ({header})")
            elif to_area == area and to_floor > floor:
                problems.append(f"{where}: include runs back up, from {os.path.dirname(path)}/ to "
                                f"{os.path.dirname(header)}/ ({header})")
    return problems


def check_cycles(root, files):
    """Modules (a header with its .cc) whose includes form a cycle."""
    def module(path):
        # A header without a .cc of its own named after a module (x_data.h,
        # x_impl.h, x_tree.h beside x.h) is that module's private part.
        stem = os.path.splitext(path)[0]
        if path.endswith(".h") and not os.path.exists(os.path.join(root, stem + ".cc")):
            parts = stem.split("_")
            for cut in range(len(parts) - 1, 0, -1):
                owner = "_".join(parts[:cut])
                if os.path.exists(os.path.join(root, owner + ".h")):
                    return owner
        return stem
    edges = {}
    for path in files:
        for _, header in project_includes(root, path):
            if module(header) != module(path):
                edges.setdefault(module(path), set()).add(module(header))
    # Tarjan's strongly connected components, iteratively.
    index, low, on_stack, stack, cycles, counter = {}, {}, set(), [], [], [0]
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter[0]; counter[0] += 1
        stack.append(start); on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]; counter[0] += 1
                    stack.append(child); on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop(); on_stack.discard(member); component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return [f"{c[0]}.h:1: modules include each other: {', '.join(c)}" for c in cycles]


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    files = list(source_files(root))
    problems = check_arrows(root, files) + check_cycles(root, files)
    for problem in problems:
        print(problem)
    print(f"checked {len(files)} files: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
