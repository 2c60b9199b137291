// The command line: parses argv, runs the subcommand, and is the one place
// that turns errors into "deployctl: error: ..." and an exit status.
#pragma once

namespace deployctl {

int RunCli(int argc, char** argv);

}  // namespace deployctl
