#include "orchestrator/modules/shell_words.h"

#include <catch2/catch.hpp>
#include <stdexcept>

using deployctl::SplitShellWords;
using Strings = std::vector<std::string>;

TEST_CASE("SplitShellWords splits like sh and expands nothing", "[shell_words]") {
  CHECK(SplitShellWords("  ls   -l\t/tmp ") == Strings{"ls", "-l", "/tmp"});
  CHECK(SplitShellWords("echo 'a b' \"c d\"") == Strings{"echo", "a b", "c d"});
  CHECK(SplitShellWords("echo $HOME ~ * a|b;c") == Strings{"echo", "$HOME", "~", "*", "a|b;c"});
  CHECK(SplitShellWords("a'b'\"c\"d") == Strings{"abcd"});
  CHECK(SplitShellWords("x '' \"\"") == Strings{"x", "", ""});
  CHECK(SplitShellWords("a\\ b \\'c") == Strings{"a b", "'c"});
  CHECK(SplitShellWords("\"a\\\"b \\$x \\n\"") == Strings{"a\"b $x \\n"});
  CHECK(SplitShellWords("'it'\\''s'") == Strings{"it's"});
  CHECK(SplitShellWords("one \\\ntwo") == Strings{"one", "two"});
  CHECK(SplitShellWords("psql -c 'SELECT 1;'") == Strings{"psql", "-c", "SELECT 1;"});
  CHECK(SplitShellWords("").empty());
}

TEST_CASE("SplitShellWords names what is unterminated", "[shell_words]") {
  CHECK_THROWS_WITH(SplitShellWords("echo 'a"), "unterminated single quote");
  CHECK_THROWS_WITH(SplitShellWords("echo \"a"), "unterminated double quote");
  CHECK_THROWS_WITH(SplitShellWords("echo a\\"), "trailing backslash");
}
