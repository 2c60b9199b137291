#!/usr/bin/python3
"""Differential test: deployctl's template engine against real Jinja.

Every case of the corpus (tests/jinja/corpus.yml) is rendered twice: by
deployctl's engine (the render_corpus program, one process for the whole
corpus) and by Jinja 2 (Debian's python3-jinja2) with ansible-core's filters
and tests loaded, configured as Ansible's template module is (trim_blocks,
Ansible's undefined). A case passes when both give the same output, or both
fail. A case with `expect: error` must fail on both sides; a case with
`skip: <reason>` is a known difference, listed (with -v) and not compared.

The corpus is a mapping: `contexts` (named variable sets) and `cases`, each
with a name, a template, and `vars` or a `context` name (default `main`).

    differential.py --render build/render_corpus [--corpus FILE] [-k TEXT] [-v]

Exit status: 0 all cases agree, 1 some differ, 2 Jinja or Ansible missing
(install them with scripts/install-deps.sh) or a broken corpus.
"""

import argparse
import json
import os
import subprocess
import sys


def fail_setup(message):
    print("differential.py: " + message, file=sys.stderr)
    print("differential.py: install the dependencies with scripts/install-deps.sh "
          "(python3-jinja2 and ansible-core, Debian's python3)", file=sys.stderr)
    sys.exit(2)


try:
    import jinja2
    import yaml
except ImportError as e:
    fail_setup("cannot import Jinja2 or PyYAML with %s: %s" % (sys.executable, e))

try:
    from ansible.template import AnsibleUndefined
    from ansible.plugins.filter import core as filter_core
    from ansible.plugins.filter import mathstuff as filter_math
    from ansible.plugins.filter import urlsplit as filter_urlsplit
    from ansible.plugins.test import core as test_core
    from ansible.plugins.test import mathstuff as test_math
    from ansible.plugins.test import uri as test_uri
except ImportError as e:
    fail_setup("cannot import ansible-core's filters and tests with %s: %s" % (sys.executable, e))


def jinja_environment():
    env = jinja2.Environment(
        undefined=AnsibleUndefined,
        trim_blocks=True,  # as Ansible's template module
        keep_trailing_newline=True,
    )
    for module in (filter_core, filter_math, filter_urlsplit):
        env.filters.update(module.FilterModule().filters())
    for module in (test_core, test_math, test_uri):
        env.tests.update(module.TestModule().tests())
    return env


def render_jinja(env, case):
    try:
        return {"output": env.from_string(case["template"]).render(case.get("vars") or {})}
    except Exception as e:  # any failure counts as an error, as deployctl's does
        return {"error": "%s: %s" % (type(e).__name__, e)}


def load_corpus(path):
    with open(path, encoding="utf-8") as f:
        corpus = yaml.safe_load(f)
    if not isinstance(corpus, dict) or not isinstance(corpus.get("cases"), list):
        fail_setup("%s: expected a mapping with 'contexts' and 'cases'" % path)
    contexts = corpus.get("contexts") or {}
    cases = corpus["cases"]
    seen = set()
    for i, case in enumerate(cases):
        if not isinstance(case, dict) or "name" not in case or "template" not in case:
            fail_setup("%s: case %d needs a name and a template" % (path, i + 1))
        if case["name"] in seen:
            fail_setup("%s: duplicate case name %r" % (path, case["name"]))
        seen.add(case["name"])
        if not isinstance(case["template"], str):
            fail_setup("%s: case %r: the template must be a string" % (path, case["name"]))
        # Variables: `vars` inline, else the named `context` (default: main).
        if "vars" not in case:
            name = case.get("context", "main")
            if name not in contexts:
                fail_setup("%s: case %r: no context %r" % (path, case["name"], name))
            case["vars"] = contexts[name]
    return cases


def render_deployctl(binary, cases):
    payload = "".join(
        json.dumps({"name": c["name"], "template": c["template"], "vars": c.get("vars") or {}}) + "\n"
        for c in cases)
    proc = subprocess.run([binary], input=payload.encode(), capture_output=True, timeout=120)
    if proc.returncode != 0:
        print(proc.stderr.decode(errors="replace"), file=sys.stderr)
        fail_setup("%s exited with status %d" % (binary, proc.returncode))
    results = {}
    for line in proc.stdout.decode("utf-8", errors="replace").splitlines():
        if line.strip():
            item = json.loads(line)
            results[item["name"]] = item
    return results


def show(result):
    if "error" in result:
        return "error: " + result["error"]
    return "output: " + json.dumps(result["output"], ensure_ascii=False)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--render", required=True, help="the render_corpus program")
    parser.add_argument("--corpus", default=os.path.join(here, "corpus.yml"))
    parser.add_argument("-k", dest="only", help="only cases whose name contains this")
    parser.add_argument("-v", "--verbose", action="store_true", help="show every case")
    args = parser.parse_args()

    cases = load_corpus(args.corpus)
    if args.only:
        cases = [c for c in cases if args.only in c["name"]]
    skipped = [c for c in cases if c.get("skip")]
    active = [c for c in cases if not c.get("skip")]

    ours = render_deployctl(args.render, active)
    env = jinja_environment()
    failures = 0
    for case in active:
        mine = ours.get(case["name"], {"error": "no result from render_corpus"})
        theirs = render_jinja(env, case)
        if case.get("expect") == "error":
            ok = "error" in mine and "error" in theirs
        elif "error" in mine or "error" in theirs:
            ok = "error" in mine and "error" in theirs
        else:
            ok = mine["output"] == theirs["output"]
        if not ok:
            failures += 1
        if not ok or args.verbose:
            print("%s %s" % ("ok  " if ok else "FAIL", case["name"]))
            print("      template:  %s" % json.dumps(case["template"], ensure_ascii=False))
            if case.get("vars"):
                print("      vars:      %s" % json.dumps(case["vars"], ensure_ascii=False))
            print("      deployctl %s" % show(mine))
            print("      jinja     %s" % show(theirs))
            if case.get("expect") == "error":
                print("      (expected: an error on both sides)")

    for case in skipped:
        if args.verbose:
            print("skip %s: %s" % (case["name"], case["skip"]))
    print("%d cases: %d agree, %d differ, %d known differences skipped (jinja2 %s, %s)" % (
        len(cases), len(active) - failures, failures, len(skipped), jinja2.__version__,
        sys.executable))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
