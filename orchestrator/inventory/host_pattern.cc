#include "orchestrator/inventory/host_pattern.h"

#include <algorithm>
#include <optional>
#include <regex>
#include <set>

#include "orchestrator/core/strings.h"
#include "orchestrator/inventory/inventory.h"

namespace deployctl {
namespace {

// Matches a "[...]" class at glob[i] (just after '['); returns the length
// of the class including ']' or 0 when there is no closing ']'.
size_t ClassLength(std::string_view glob, size_t i) {
  size_t j = i;
  if (j < glob.size() && glob[j] == '!') ++j;
  if (j < glob.size() && glob[j] == ']') ++j;
  while (j < glob.size() && glob[j] != ']') ++j;
  return j < glob.size() ? j - i + 1 : 0;
}

bool ClassMatches(std::string_view body, char c) {
  bool negate = !body.empty() && body[0] == '!';
  if (negate) body.remove_prefix(1);
  bool hit = false;
  for (size_t k = 0; k < body.size(); ++k) {
    if (k + 2 < body.size() && body[k + 1] == '-') {
      hit |= body[k] <= c && c <= body[k + 2];
      k += 2;
    } else {
      hit |= body[k] == c;
    }
  }
  return hit != negate;
}

// A pattern piece's subscript: "web[0]" or "web[1:3]" / "web[2:]".
struct Subscript {
  long start = 0;
  std::optional<long> end;  // unset for a single index
};

std::optional<Subscript> SplitSubscript(std::string& piece) {
  static const std::regex kSubscript(R"(^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$)");
  std::smatch m;
  if (piece.empty() || piece[0] == '~' || !std::regex_match(piece, m, kSubscript)) {
    return std::nullopt;
  }
  Subscript sub;
  if (m[2].matched) {
    sub.start = std::stol(m[2].str());
  } else {
    sub.start = std::stol(m[3].str());
    sub.end = m[5].length() == 0 ? -1 : std::stol(m[5].str());
  }
  piece = m[1].str();
  return sub;
}

std::vector<std::string> ApplySubscript(const std::vector<std::string>& hosts, const Subscript& sub,
                                        const std::string& piece) {
  if (hosts.empty()) return hosts;
  const long n = static_cast<long>(hosts.size());
  // Python: hosts[start:end + 1], but an end of 0 means "just start".
  if (sub.end && *sub.end != 0) {
    const long end = *sub.end == -1 ? n : std::min(n, *sub.end + 1);
    const long start = std::min(sub.start, n);
    if (start >= end) return {};
    return {hosts.begin() + start, hosts.begin() + end};
  }
  const long index = sub.start < 0 ? n + sub.start : sub.start;
  if (index < 0 || index >= n) {
    throw UsageError("No hosts matched the subscripted pattern '" + piece + "'");
  }
  return {hosts[index]};
}

}  // namespace

std::vector<std::string> SplitHostPattern(const std::string& pattern) {
  std::vector<std::string> pieces;
  if (pattern.find(',') != std::string::npos) {
    size_t start = 0;
    for (size_t pos; (pos = pattern.find(',', start)) != std::string::npos; start = pos + 1) {
      pieces.push_back(pattern.substr(start, pos - start));
    }
    pieces.push_back(pattern.substr(start));
  } else {
    // What Ansible's parse_address accepts as one host: host:port, IPv6.
    static const std::regex kHostPort(R"(^(?:[\w.\-]|\[[^\]]*\])+:[0-9]+$)");
    static const std::regex kBracketed(R"(^\[.+\]:[0-9]+$)");
    static const std::regex kIpv6(R"(^[0-9A-Fa-f]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*$)");
    static const std::regex kPiece(R"((?:[^\s:\[\]]|\[[^\]]*\])+)");
    if (std::regex_match(pattern, kHostPort) || std::regex_match(pattern, kBracketed) ||
        std::regex_match(pattern, kIpv6)) {
      pieces.push_back(pattern);
    } else {
      for (auto it = std::sregex_iterator(pattern.begin(), pattern.end(), kPiece);
           it != std::sregex_iterator(); ++it) {
        pieces.push_back(it->str());
      }
    }
  }
  std::vector<std::string> out;
  for (const std::string& piece : pieces) {
    if (std::string t = Trim(piece); !t.empty()) out.push_back(std::move(t));
  }
  return out;
}

bool GlobMatch(std::string_view glob, std::string_view text) {
  size_t g = 0, t = 0;
  size_t star_g = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (g < glob.size() && glob[g] == '*') {
      star_g = ++g;
      star_t = t;
      continue;
    }
    if (g < glob.size()) {
      if (glob[g] == '?') {
        ++g, ++t;
        continue;
      }
      if (glob[g] == '[') {
        if (const size_t len = ClassLength(glob, g + 1); len != 0) {
          if (ClassMatches(glob.substr(g + 1, len - 1), text[t])) {
            g += len + 1, ++t;
            continue;
          }
        } else if (text[t] == '[') {
          ++g, ++t;
          continue;
        }
      } else if (glob[g] == text[t]) {
        ++g, ++t;
        continue;
      }
    }
    if (star_g == std::string_view::npos) return false;
    g = star_g;
    t = ++star_t;
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

std::vector<std::string> Inventory::Match(const std::string& pattern) const {
  // Ansible's order_patterns: plain pieces, then "&" ones, then "!" ones;
  // only "&"/"!" pieces mean "all" first.
  std::vector<std::string> plain, intersect, exclude;
  for (const std::string& piece : SplitHostPattern(pattern)) {
    (piece[0] == '!' ? exclude : piece[0] == '&' ? intersect : plain).push_back(piece);
  }
  if (plain.empty()) plain.push_back("all");

  auto name_matches = [](const std::string& expr, const std::string& name) {
    if (expr[0] != '~') return GlobMatch(expr, name);
    try {
      return std::regex_search(name, std::regex(expr.substr(1)),
                               std::regex_constants::match_continuous);
    } catch (const std::regex_error& e) {
      throw UsageError("invalid host pattern regex '" + expr + "': " + e.what());
    }
  };
  // One piece, without its & or ! (duplicates kept until the end, as Ansible).
  auto match_one = [&](std::string piece) {
    if (piece[0] == '&' || piece[0] == '!') piece.erase(0, 1);
    const std::string original = piece;
    const std::optional<Subscript> sub = SplitSubscript(piece);
    std::vector<std::string> found;
    bool any_group = false;
    for (const std::string& group : group_order_) {
      if (!name_matches(piece, group)) continue;
      any_group = true;
      for (std::string& host : HostsOfGroup(group)) found.push_back(std::move(host));
    }
    if (!any_group || piece[0] == '~' || piece.find_first_of(".?*[") != std::string::npos) {
      for (const std::string& host : host_order_) {
        if (name_matches(piece, host)) found.push_back(host);
      }
    }
    return sub ? ApplySubscript(found, *sub, original) : found;
  };

  std::vector<std::string> hosts;
  std::set<std::string> in_hosts;
  for (const auto* list : {&plain, &intersect, &exclude}) {
    for (const std::string& piece : *list) {
      if (HasHost(piece)) {  // a plain host name needs no matching
        if (in_hosts.insert(piece).second) hosts.push_back(piece);
        continue;
      }
      const std::vector<std::string> that = match_one(piece);
      const std::set<std::string> that_set(that.begin(), that.end());
      if (piece[0] == '!') {
        std::erase_if(hosts, [&](const std::string& h) { return that_set.count(h) != 0; });
      } else if (piece[0] == '&') {
        std::erase_if(hosts, [&](const std::string& h) { return that_set.count(h) == 0; });
      } else {
        for (const std::string& h : that) {
          if (in_hosts.insert(h).second) hosts.push_back(h);
        }
        continue;
      }
      in_hosts = std::set<std::string>(hosts.begin(), hosts.end());
    }
  }
  return hosts;
}

}  // namespace deployctl
