// SHA-256 digests as lowercase hex, the form `sha256sum` prints, so local
// and remote checksums compare as strings.
#pragma once

#include <string>
#include <string_view>

namespace deployctl {

// The digest of `data`.
std::string Sha256Hex(std::string_view data);

// The digest of the local file at `path`, read in chunks (any size).
// Throws std::runtime_error naming the file and the reason when it cannot
// be read.
std::string Sha256HexOfFile(const std::string& path);

}  // namespace deployctl
