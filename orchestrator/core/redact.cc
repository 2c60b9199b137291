#include "orchestrator/core/redact.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>
#include <vector>

namespace deployctl {
namespace {

std::mutex& SecretsMutex() {
  static std::mutex m;
  return m;
}

// Longest first, so that a secret containing another is masked whole.
struct LongestFirst {
  bool operator()(const std::string& a, const std::string& b) const {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  }
};

std::set<std::string, LongestFirst>& Secrets() {
  static std::set<std::string, LongestFirst> s;
  return s;
}

}  // namespace

void RegisterSecret(std::string_view secret) {
  if (secret.size() < 4) return;
  std::lock_guard lock(SecretsMutex());
  Secrets().emplace(secret);
}

bool IsSecretVariableName(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  auto ends_with = [&](std::string_view s) {
    return lower.size() >= s.size() && lower.compare(lower.size() - s.size(), s.size(), s) == 0;
  };
  if (ends_with("_file") || ends_with("_path")) return false;
  for (std::string_view word : {"password", "passwd", "secret", "token", "api_key", "apikey",
                                "private_key", "credential"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

std::string Redact(std::string_view text) {
  std::string out(text);
  std::lock_guard lock(SecretsMutex());
  for (const std::string& secret : Secrets()) {
    for (size_t pos = out.find(secret); pos != std::string::npos; pos = out.find(secret, pos + 8)) {
      out.replace(pos, secret.size(), "********");
    }
  }
  return out;
}

}  // namespace deployctl
