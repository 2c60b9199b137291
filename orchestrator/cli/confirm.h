// The one confirmation prompt: commands that overwrite a database ask on a
// terminal, or need --yes when there is none.
#pragma once

#include <string>

namespace deployctl {

// True when standard input is a terminal someone can answer on.
bool CanAskOnTerminal();

// Prints `question` on stderr and reads one line: true for "yes" or "y"
// (any case, surrounding spaces ignored), false for anything else or EOF.
bool AskYes(const std::string& question);

}  // namespace deployctl
