#!/usr/bin/env python3
"""The layer rules of docs/design/architecture.md, checked on every build.

- A folder includes only its own headers and those of the folders below it
  (ALLOWED). Tests (*_test.cc, *_test_util.h, test_*.h) may include anything.
- No module includes another module: a *_module.cc/.h includes no other
  *_module.h. Only the registry (registry.cc) includes them all, and only
  modules/ includes a *_module.h at all.
- No playbook condition names a task (ansible_failed_task.name).
- Every *_test.cc in the tree is listed in a CMakeLists.txt, so none is
  silently left out of the test binary.
Prints one line per violation and exits 1 if there is any.
"""
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()

# folder -> folders it may include (itself always allowed).
ALLOWED = {
    "orchestrator/core": set(),
    "remote": {"orchestrator/core"},
    "remote/local": {"orchestrator/core", "remote"},
    "remote/ssh": {"orchestrator/core", "remote"},
    "remote/fake": {"orchestrator/core", "remote"},
    "remote/fault": {"orchestrator/core", "remote"},
    "remote/connect": {"orchestrator/core", "remote", "remote/local", "remote/ssh"},
    "orchestrator/vars": {"orchestrator/core"},
    "orchestrator/yaml": {"orchestrator/core"},
    "orchestrator/inventory": {"orchestrator/core", "orchestrator/vars", "orchestrator/yaml"},
    "orchestrator/db": {"orchestrator/core"},
    "orchestrator/app": {"orchestrator/core", "orchestrator/vars", "orchestrator/db", "remote",
                         "remote/local"},
    "orchestrator/modules": {"orchestrator/core", "orchestrator/vars", "orchestrator/app",
                             "orchestrator/db", "remote"},
    "orchestrator/engine": {"orchestrator/core", "orchestrator/vars", "orchestrator/yaml",
                            "orchestrator/inventory", "remote", "orchestrator/modules"},
    "orchestrator/cli": {"orchestrator/core", "orchestrator/vars", "orchestrator/yaml",
                         "orchestrator/inventory", "orchestrator/app", "orchestrator/engine",
                         "remote", "remote/connect"},
}
# The one module header the engine (and the registry's users) may see.
ENGINE_MODULE_HEADERS = {"orchestrator/modules/module.h"}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


CONDITION_KEYS = ("when", "changed_when", "failed_when", "until")


def playbook_conditions(path: pathlib.Path):
    """(task name, condition text) for every condition in a playbook."""
    def walk(node, name):
        if isinstance(node, dict):
            name = node.get("name", name)
            for key, value in node.items():
                if key in CONDITION_KEYS:
                    for cond in (value if isinstance(value, list) else [value]):
                        yield f"task '{name}'", str(cond)
                else:
                    yield from walk(value, name)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item, name)
    yield from walk(yaml.safe_load(path.read_text()), "(play)")


def is_test(path: pathlib.Path) -> bool:
    name = path.name
    return name.endswith("_test.cc") or "test_util" in name or name.startswith("test_")


def main() -> int:
    problems = []
    for folder, allowed in ALLOWED.items():
        for path in sorted((ROOT / folder).glob("*")):
            if path.suffix not in (".cc", ".h") or is_test(path):
                continue
            rel = path.relative_to(ROOT).as_posix()
            for inc in INCLUDE.findall(path.read_text(errors="replace")):
                inc_folder = inc.rsplit("/", 1)[0]
                if inc_folder == folder:
                    pass
                elif inc_folder not in allowed:
                    problems.append(f"{rel}: includes {inc}: {folder}/ may include only "
                                    f"{', '.join(sorted(allowed)) or 'itself'}")
                    continue
                if inc_folder == "orchestrator/modules" and folder != "orchestrator/modules" \
                        and inc not in ENGINE_MODULE_HEADERS:
                    problems.append(f"{rel}: includes {inc}: only modules/ and the registry "
                                    "include a module's header")
                if folder == "orchestrator/modules" and inc.endswith("_module.h") \
                        and path.stem.endswith("_module") \
                        and pathlib.Path(inc).stem != path.stem:
                    problems.append(f"{rel}: includes {inc}: a module includes no other module")

    for playbook in sorted((ROOT / "playbooks").glob("**/*.yml")):
        for where, condition in playbook_conditions(playbook):
            if "ansible_failed_task" in condition:
                problems.append(f"{playbook.relative_to(ROOT)}: {where}: a condition names a "
                                "task (ansible_failed_task): branch on a typed result instead")

    listed = "\n".join(p.read_text() for p in ROOT.glob("**/CMakeLists.txt")
                       if "build" not in p.relative_to(ROOT).parts[0])
    for test in sorted(ROOT.glob("**/*_test.cc")):
        rel = test.relative_to(ROOT)
        if rel.parts[0].startswith("build") or rel.parts[0] == ".git":
            continue
        if not re.search(r"(^|[\s(])" + re.escape(test.name) + r"([\s)]|$)", listed, re.M):
            problems.append(f"{rel}: not listed in any CMakeLists.txt (it would never run)")

    for p in problems:
        print(p)
    if problems:
        print(f"check-layers: {len(problems)} violation(s)")
        return 1
    print("check-layers: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
