#!/usr/bin/env bash
# Every C++ file in the repository is as .clang-format says: prints the
# files that differ (fix them with clang-format -i) and exits 1 if any does.
set -euo pipefail
cd "${1:-$(dirname "${BASH_SOURCE[0]}")/..}"
command -v clang-format >/dev/null || { echo "check-format: clang-format is not installed" >&2; exit 1; }
bad=()
while IFS= read -r -d '' f; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(git ls-files -z -- '*.cc' '*.h' 2>/dev/null || find orchestrator remote tests cmake -name '*.cc' -o -name '*.h' -print0)
if ((${#bad[@]})); then
  printf 'check-format: differs from .clang-format: %s\n' "${bad[@]}"
  echo "check-format: ${#bad[@]} file(s); run clang-format -i on them"
  exit 1
fi
echo "check-format: ok"
