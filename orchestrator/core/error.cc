#include "orchestrator/core/error.h"

namespace deployctl {

std::string SourceLocation::ToString() const {
  std::string out = file.empty() ? "<input>" : file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  return out;
}

std::string ConfigError::Format(const SourceLocation& where, const std::string& message) {
  return where.ToString() + ": " + message;
}

}  // namespace deployctl
