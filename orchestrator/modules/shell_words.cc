#include "orchestrator/modules/shell_words.h"

#include <stdexcept>

namespace deployctl {

std::vector<std::string> SplitShellWords(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // distinguishes '' (an empty word) from nothing
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i++];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == '\\') {
      if (i == text.size()) throw std::invalid_argument("trailing backslash");
      if (text[i] != '\n') word += text[i], in_word = true;  // \<newline> joins lines
      ++i;
    } else if (c == '\'') {
      const size_t end = text.find('\'', i);
      if (end == std::string_view::npos) throw std::invalid_argument("unterminated single quote");
      word.append(text.substr(i, end - i));
      in_word = true;
      i = end + 1;
    } else if (c == '"') {
      in_word = true;
      for (;;) {
        if (i == text.size()) throw std::invalid_argument("unterminated double quote");
        const char d = text[i++];
        if (d == '"') break;
        // Inside double quotes a backslash only escapes these, as in sh.
        if (d == '\\' && i < text.size() &&
            std::string_view("\\\"$`\n").find(text[i]) != std::string_view::npos) {
          if (text[i] != '\n') word += text[i];
          ++i;
        } else {
          word += d;
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
