#include "orchestrator/cli/confirm.h"

#include <unistd.h>

#include <iostream>

#include "orchestrator/core/strings.h"

namespace deployctl {

bool CanAskOnTerminal() {
  return isatty(STDIN_FILENO) != 0;
}

bool AskYes(const std::string& question) {
  std::cerr << question << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  const std::string word = Lower(Trim(answer));
  return word == "yes" || word == "y";
}

}  // namespace deployctl
