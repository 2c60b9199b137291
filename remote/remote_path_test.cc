#include "remote/remote_path.h"

#include <catch2/catch.hpp>

using deployctl::remote::BaseName;
using deployctl::remote::DirName;
using deployctl::remote::JoinPath;

TEST_CASE("remote path helpers", "[remote_path]") {
  CHECK(JoinPath("/srv/app", "current") == "/srv/app/current");
  CHECK(JoinPath("/srv/app/", "current") == "/srv/app/current");
  CHECK(JoinPath("/srv/app", "/abs") == "/abs");
  CHECK(JoinPath("", "rel") == "rel");
  CHECK(BaseName("/a/b/") == "b");
  CHECK(BaseName("b") == "b");
  CHECK(BaseName("/") == "/");
  CHECK(DirName("/a/b") == "/a");
  CHECK(DirName("/a/b/") == "/a");
  CHECK(DirName("/a") == "/");
  CHECK(DirName("a") == ".");
  CHECK(DirName("a/b") == "a");
}
