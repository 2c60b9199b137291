#include "orchestrator/cli/cli.h"

int main(int argc, char** argv) {
  return deployctl::RunCli(argc, argv);
}
