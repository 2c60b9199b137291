#include "orchestrator/vars/template_regex.h"

#include <algorithm>
#include <map>
#include <memory>
#include <regex>
#include <unordered_map>

#include "orchestrator/vars/template.h"

namespace deployctl::template_internal {
namespace {

struct Compiled {
  std::regex regex;
  std::map<std::string, size_t, std::less<>> names;  // named group -> number
  size_t groups = 0;
};

[[noreturn]] void Invalid(std::string_view pattern, std::string_view why) {
  throw TemplateError("invalid regular expression '" + std::string(pattern) +
                      "': " + std::string(why));
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Rewrites Python-only syntax into ECMAScript and collects group names.
std::shared_ptr<Compiled> Compile(std::string_view pattern, bool ignorecase, bool multiline) {
  auto compiled = std::make_shared<Compiled>();
  bool dotall = false;
  std::string_view rest = pattern;
  // Leading inline flags: (?i), (?ms), ...
  while (rest.size() >= 3 && rest.substr(0, 2) == "(?") {
    size_t close = rest.find(')');
    if (close == std::string_view::npos) break;
    std::string_view flags = rest.substr(2, close - 2);
    if (flags.empty() || flags.find_first_not_of("aiLmsux") != std::string_view::npos) break;
    for (char f : flags) {
      if (f == 'i') {
        ignorecase = true;
      } else if (f == 'm') {
        multiline = true;
      } else if (f == 's') {
        dotall = true;
      } else if (f == 'x') {
        Invalid(pattern, std::string("inline flag '") + f + "' is not supported");
      }
    }
    rest.remove_prefix(close + 1);
  }

  std::string out;
  bool in_class = false;
  for (size_t i = 0; i < rest.size(); ++i) {
    char c = rest[i];
    if (c == '\\' && i + 1 < rest.size()) {
      char e = rest[++i];
      if (!in_class && e == 'A') {
        out += '^';
      } else if (!in_class && e == 'Z') {
        out += '$';
      } else {
        out += '\\';
        out += e;
      }
      continue;
    }
    if (in_class) {
      out += c;
      if (c == ']') in_class = false;
      continue;
    }
    if (c == '[') {
      in_class = true;
      out += c;
      // A leading ']' (or '^]') is a literal in Python, not the class end.
      if (i + 1 < rest.size() && rest[i + 1] == '^') out += rest[++i];
      if (i + 1 < rest.size() && rest[i + 1] == ']') {
        out += "\\]";
        ++i;
      }
      continue;
    }
    if (c == '.' && dotall) {
      out += "[\\s\\S]";
      continue;
    }
    if (c != '(') {
      out += c;
      continue;
    }
    std::string_view group = rest.substr(i);
    if (group.substr(0, 4) == "(?P<") {
      size_t close = group.find('>');
      if (close == std::string_view::npos) Invalid(pattern, "unterminated group name");
      compiled->names[std::string(group.substr(4, close - 4))] = ++compiled->groups;
      out += '(';
      i += close;
    } else if (group.substr(0, 4) == "(?P=") {
      size_t close = group.find(')');
      if (close == std::string_view::npos) Invalid(pattern, "unterminated group reference");
      auto it = compiled->names.find(group.substr(4, close - 4));
      if (it == compiled->names.end()) {
        Invalid(pattern, "unknown group name '" + std::string(group.substr(4, close - 4)) + "'");
      }
      out += "\\" + std::to_string(it->second);
      i += close;
    } else if (group.substr(0, 4) == "(?<=" || group.substr(0, 4) == "(?<!") {
      Invalid(pattern, "lookbehind is not supported");
    } else if (group.substr(0, 3) == "(?#") {
      size_t close = group.find(')');
      if (close == std::string_view::npos) Invalid(pattern, "missing ), unterminated comment");
      i += close;
    } else if (group.substr(0, 2) == "(?") {
      if (group.size() < 3 || (group[2] != ':' && group[2] != '=' && group[2] != '!')) {
        Invalid(pattern, "unsupported group syntax '" + std::string(group.substr(0, 3)) + "'");
      }
      out += c;
    } else {
      ++compiled->groups;
      out += c;
    }
  }

  auto flags = std::regex::ECMAScript;
  if (ignorecase) flags |= std::regex::icase;
  if (multiline) flags |= std::regex::multiline;
  try {
    compiled->regex = std::regex(out, flags);
  } catch (const std::regex_error& e) {
    Invalid(pattern, e.what());
  }
  return compiled;
}

// Compiling is slow and the same pattern is applied for every loop item.
std::shared_ptr<Compiled> CachedCompile(std::string_view pattern, bool ignorecase, bool multiline) {
  thread_local std::unordered_map<std::string, std::shared_ptr<Compiled>> cache;
  std::string key = std::string(pattern) + (ignorecase ? "\1i" : "\1-") + (multiline ? "m" : "-");
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  auto compiled = Compile(pattern, ignorecase, multiline);
  if (cache.size() >= 64) cache.clear();
  cache.emplace(std::move(key), compiled);
  return compiled;
}

void AppendGroup(std::string& out, const std::cmatch& match, size_t group) {
  if (match[group].matched) out.append(match[group].first, match[group].second);
}

// Python's replacement template: \1, \g<1>, \g<name>, \n and friends.
void Expand(std::string& out, std::string_view repl, const std::cmatch& match,
            const Compiled& compiled) {
  auto bad_group = [](std::string_view what) {
    throw TemplateError("invalid group reference " + std::string(what) + " in replacement");
  };
  for (size_t i = 0; i < repl.size(); ++i) {
    char c = repl[i];
    if (c != '\\' || i + 1 == repl.size()) {
      out += c;
      continue;
    }
    char e = repl[++i];
    if (e >= '1' && e <= '9') {
      size_t group = static_cast<size_t>(e - '0');
      if (i + 1 < repl.size() && IsDigit(repl[i + 1])) {
        group = group * 10 + static_cast<size_t>(repl[++i] - '0');
      }
      if (group > compiled.groups) bad_group(std::to_string(group));
      AppendGroup(out, match, group);
    } else if (e == 'g') {
      size_t close = repl.find('>', i);
      if (i + 1 >= repl.size() || repl[i + 1] != '<' || close == std::string_view::npos) {
        throw TemplateError("missing group name after \\g in replacement");
      }
      std::string_view name = repl.substr(i + 2, close - i - 2);
      size_t group = 0;
      if (!name.empty() && std::all_of(name.begin(), name.end(), IsDigit)) {
        group = std::stoul(std::string(name));
        if (group > compiled.groups) bad_group(std::string(name));
      } else {
        auto it = compiled.names.find(name);
        if (it == compiled.names.end()) {
          throw TemplateError("unknown group name '" + std::string(name) + "' in replacement");
        }
        group = it->second;
      }
      AppendGroup(out, match, group);
      i = close;
    } else if (e == '0') {
      out += '\0';
    } else if (e == 'n') {
      out += '\n';
    } else if (e == 't') {
      out += '\t';
    } else if (e == 'r') {
      out += '\r';
    } else if (e == 'f') {
      out += '\f';
    } else if (e == 'v') {
      out += '\v';
    } else if (e == 'a') {
      out += '\a';
    } else if (e == '\\') {
      out += '\\';
    } else if (IsNameChar(e)) {
      throw TemplateError(std::string("bad escape \\") + e + " in replacement");
    } else {
      out += '\\';
      out += e;
    }
  }
}

}  // namespace

namespace {

void CheckInput(std::string_view text) {
  if (text.size() > kMaxRegexInput) {
    throw TemplateError("regular expressions are limited to inputs of " +
                        std::to_string(kMaxRegexInput) + " bytes (got " +
                        std::to_string(text.size()) + ")");
  }
}

RegexMatch ToMatch(const std::cmatch& match, const Compiled& compiled) {
  RegexMatch out;
  for (size_t g = 0; g <= compiled.groups && g < match.size(); ++g) {
    if (match[g].matched) {
      out.groups.emplace_back(std::string(match[g].first, match[g].second));
    } else {
      out.groups.emplace_back(std::nullopt);
    }
  }
  for (const auto& [name, number] : compiled.names) out.names.emplace_back(name, number);
  return out;
}

[[noreturn]] void Failed(std::string_view pattern, const std::regex_error& e) {
  throw TemplateError("regular expression '" + std::string(pattern) + "' failed: " + e.what());
}

}  // namespace

std::optional<RegexMatch> PyRegexSearch(std::string_view text, std::string_view pattern,
                                        bool ignorecase, bool multiline, bool at_start) {
  CheckInput(text);
  auto compiled = CachedCompile(pattern, ignorecase, multiline);
  std::cmatch match;
  try {
    auto flags =
        at_start ? std::regex_constants::match_continuous : std::regex_constants::match_default;
    if (!std::regex_search(text.data(), text.data() + text.size(), match, compiled->regex, flags)) {
      return std::nullopt;
    }
  } catch (const std::regex_error& e) {
    Failed(pattern, e);
  }
  return ToMatch(match, *compiled);
}

std::vector<RegexMatch> PyRegexFindAll(std::string_view text, std::string_view pattern,
                                       bool ignorecase, bool multiline) {
  CheckInput(text);
  auto compiled = CachedCompile(pattern, ignorecase, multiline);
  std::vector<RegexMatch> out;
  try {
    const char* end = text.data() + text.size();
    for (std::cregex_iterator it(text.data(), end, compiled->regex), stop; it != stop; ++it) {
      out.push_back(ToMatch(*it, *compiled));
    }
  } catch (const std::regex_error& e) {
    Failed(pattern, e);
  }
  return out;
}

std::string PyRegexEscape(std::string_view text) {
  // Python 3.7+ escapes only the regex metacharacters and whitespace.
  constexpr std::string_view kSpecial = "()[]{}?*+-|^$\\.&~# \t\n\r\v\f";
  std::string out;
  for (char c : text) {
    if (kSpecial.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string PyRegexReplace(std::string_view text, std::string_view pattern,
                           std::string_view replacement, bool ignorecase, bool multiline,
                           int64_t count) {
  CheckInput(text);
  auto compiled = CachedCompile(pattern, ignorecase, multiline);
  std::string out;
  const char* last = text.data();
  const char* end = text.data() + text.size();
  int64_t done = 0;
  try {
    for (std::cregex_iterator it(text.data(), end, compiled->regex), stop; it != stop; ++it) {
      if (count > 0 && done >= count) break;
      const std::cmatch& match = *it;
      out.append(last, match[0].first);
      Expand(out, replacement, match, *compiled);
      last = match[0].second;
      ++done;
    }
  } catch (const std::regex_error& e) {
    // std::regex backtracks recursively and gives up on pathological input.
    throw TemplateError("regular expression '" + std::string(pattern) + "' failed: " + e.what());
  }
  out.append(last, end);
  return out;
}

}  // namespace deployctl::template_internal
