#include "orchestrator/cli/cli.h"

#include <iostream>

namespace deployctl {

int RunCli(int, char**) {
  std::cerr << "deployctl: error: not implemented yet\n";
  return 2;
}

}  // namespace deployctl
