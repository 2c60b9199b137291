// POSIX path strings on the managed host (not std::filesystem, which is the
// controller's).
#pragma once

#include <string>
#include <string_view>

namespace deployctl::remote {

// "a" + "b" -> "a/b"; an absolute `b` wins; no doubled slashes.
std::string JoinPath(std::string_view dir, std::string_view name);

// The last component, ignoring trailing slashes: "/a/b/" -> "b".
std::string BaseName(std::string_view path);

// The parent, ignoring trailing slashes: "/a/b" -> "/a", "/a" -> "/", "a" -> ".".
std::string DirName(std::string_view path);

}  // namespace deployctl::remote
