#include "orchestrator/cli/confirm.h"

#include <catch2/catch.hpp>
#include <iostream>
#include <sstream>

namespace {

// AskYes with `typed` on standard input; what it printed goes to `shown`.
bool AskWith(const std::string& typed, std::string* shown = nullptr) {
  std::istringstream in(typed);
  std::ostringstream err;
  std::streambuf* old_in = std::cin.rdbuf(in.rdbuf());
  std::streambuf* old_err = std::cerr.rdbuf(err.rdbuf());
  const bool yes = deployctl::AskYes("Restore? ");
  std::cin.rdbuf(old_in);
  std::cerr.rdbuf(old_err);
  if (shown != nullptr) *shown = err.str();
  return yes;
}

}  // namespace

// Issue 8: `db restore` accepted "y", `rollback --restore-database` only
// "yes". One prompt now, with one rule.
TEST_CASE("regression: both confirmation prompts accept the same answers", "[cli][confirm]") {
  for (const char* answer : {"yes\n", "y\n", "YES\n", " Yes \n", "y"}) {
    CHECK(AskWith(answer));
  }
  for (const char* answer : {"no\n", "\n", "", "yess\n", "n\n", "sure\n"}) {
    CHECK_FALSE(AskWith(answer));
  }
}

TEST_CASE("the prompt goes to stderr, not stdout", "[cli][confirm]") {
  std::string shown;
  AskWith("yes\n", &shown);
  CHECK(shown == "Restore? ");
}
