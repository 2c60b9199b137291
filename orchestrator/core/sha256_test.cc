#include "orchestrator/core/sha256.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

using deployctl::Sha256Hex;
using deployctl::Sha256HexOfFile;

TEST_CASE("Sha256Hex matches the known digests", "[sha256]") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("Sha256HexOfFile streams a file larger than its buffer", "[sha256]") {
  const auto path = std::filesystem::temp_directory_path() / "deployctl_sha256_test.bin";
  const std::string data(200 * 1024 + 7, 'x');
  std::ofstream(path, std::ios::binary) << data;
  CHECK(Sha256HexOfFile(path.string()) == Sha256Hex(data));
  std::filesystem::remove(path);
}

TEST_CASE("Sha256HexOfFile names a missing file", "[sha256]") {
  CHECK_THROWS_WITH(Sha256HexOfFile("/nonexistent/x"),
                    "cannot read '/nonexistent/x': No such file or directory");
}
