#include "orchestrator/app/wait_until.h"

namespace deployctl {

const std::string& WaitUntilSucceedsScript() {
  static const std::string script = R"SH(t=$1; shift; start=$(date +%s); n=0
while :; do
  n=$((n + 1))
  if out=$("$@" 2>&1); then echo "attempts=$n"; echo "elapsed=$(($(date +%s) - start))"; exit 0; fi
  if [ $(($(date +%s) - start)) -ge "$t" ]; then
    echo "attempts=$n"; echo "elapsed=$(($(date +%s) - start))"
    printf '%s\n' "$out" >&2; exit 1
  fi
  sleep 1
done
)SH";
  return script;
}

}  // namespace deployctl
