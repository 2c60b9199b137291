#include "orchestrator/inventory/shlex_split.h"

namespace deployctl {

std::vector<std::string> ShlexSplit(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // a word has started (even an empty quoted one)
  size_t i = 0;
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (i < line.size()) {
    const char c = line[i++];
    if (is_space(c)) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == '#') {
      break;  // a comment, also right after a word: "a=b#c" is "a=b"
    } else if (c == '\\') {
      if (i >= line.size()) throw ShlexError("No escaped character");
      word += line[i++];
      in_word = true;
    } else if (c == '\'') {
      const size_t end = line.find('\'', i);
      if (end == std::string_view::npos) throw ShlexError("No closing quotation");
      word.append(line.substr(i, end - i));
      i = end + 1;
      in_word = true;
    } else if (c == '"') {
      in_word = true;
      while (true) {
        if (i >= line.size()) throw ShlexError("No closing quotation");
        const char q = line[i++];
        if (q == '"') break;
        if (q == '\\') {
          if (i >= line.size()) throw ShlexError("No closing quotation");
          // Inside double quotes only \" and \\ are escapes.
          if (line[i] != '"' && line[i] != '\\') word += '\\';
          word += line[i++];
        } else {
          word += q;
        }
      }
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

}  // namespace deployctl
