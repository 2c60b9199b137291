#include "orchestrator/vars/template_lexer.h"

#include <string>

#include "orchestrator/vars/template_strings.h"
#include "orchestrator/vars/template_syntax_error.h"

namespace deployctl::template_internal {
namespace {

constexpr size_t npos = std::string_view::npos;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsNameChar(char c) {
  return IsNameStart(c) || IsDigit(c);
}
bool IsHex(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string_view LStripSpace(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsSpace(s[i])) ++i;
  return s.substr(i);
}

std::string_view RStripSpace(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && IsSpace(s[n - 1])) --n;
  return s.substr(0, n);
}

// How a tag ended: where the text after it starts, and its modifier
// ('-' strips the following whitespace, '+' keeps the newline, 0 neither).
struct TagEnd {
  size_t next;
  char modifier;
};

class Lexer {
 public:
  explicit Lexer(std::string_view source) : src_(source) {}

  std::vector<Token> Template() {
    size_t pos = 0;
    bool strip_leading = false;
    while (true) {
      size_t tag = FindTag(pos);
      std::string_view text = src_.substr(pos, (tag == npos ? src_.size() : tag) - pos);
      if (strip_leading) text = LStripSpace(text);
      if (tag != npos && tag + 2 < src_.size() && src_[tag + 2] == '-') text = RStripSpace(text);
      EmitText(text);
      if (tag == npos) break;

      char kind = src_[tag + 1];
      size_t body = tag + 2;
      if (body < src_.size() && (src_[body] == '-' || src_[body] == '+')) ++body;
      TagEnd end{};
      bool trims_newline = kind != '{';  // trim_blocks: blocks and comments only
      if (kind == '#') {
        end = Comment(tag, body);
      } else if (kind == '{') {
        end = Tag(tag, body, TokenKind::kVarBegin, TokenKind::kVarEnd, "}}");
      } else {
        end = Tag(tag, body, TokenKind::kBlockBegin, TokenKind::kBlockEnd, "%}");
        if (IsRawStart()) end = Raw(end);
      }
      pos = end.next;
      strip_leading = end.modifier == '-';
      if (trims_newline && end.modifier == 0) pos = SkipOneNewline(pos);
    }
    tokens_.push_back(Token{TokenKind::kEnd, src_.size(), {}, {}, 0, 0});
    return std::move(tokens_);
  }

  std::vector<Token> Expression() {
    pos_ = 0;
    int depth = 0;
    while (true) {
      SkipSpaces();
      if (pos_ >= src_.size()) break;
      ExpressionToken(depth);
    }
    tokens_.push_back(Token{TokenKind::kEnd, src_.size(), {}, {}, 0, 0});
    return std::move(tokens_);
  }

 private:
  size_t FindTag(size_t from) const {
    for (size_t i = src_.find('{', from); i != npos; i = src_.find('{', i + 1)) {
      if (i + 1 < src_.size() && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) {
        return i;
      }
    }
    return npos;
  }

  void EmitText(std::string_view text) {
    if (text.empty()) return;
    tokens_.push_back(
        Token{TokenKind::kText, static_cast<size_t>(text.data() - src_.data()), text, {}, 0, 0});
  }

  size_t SkipOneNewline(size_t pos) const {
    if (pos < src_.size() && src_[pos] == '\n') return pos + 1;
    if (pos + 1 < src_.size() && src_[pos] == '\r' && src_[pos + 1] == '\n') return pos + 2;
    return pos;
  }

  void SkipSpaces() {
    while (pos_ < src_.size() && IsSpace(src_[pos_])) ++pos_;
  }

  TagEnd Comment(size_t tag, size_t body) {
    size_t close = src_.find("#}", body);
    if (close == npos) throw SyntaxError(src_, tag, "unclosed '{#'", "'#}'");
    char modifier = 0;
    if (close > body && (src_[close - 1] == '-' || src_[close - 1] == '+')) {
      modifier = src_[close - 1];
    }
    return {close + 2, modifier};
  }

  // Expression tokens up to the closing delimiter at bracket depth 0.
  TagEnd Tag(size_t tag, size_t body, TokenKind begin, TokenKind end, std::string_view close) {
    tokens_.push_back(Token{begin, tag, src_.substr(tag, body - tag), {}, 0, 0});
    pos_ = body;
    brackets_.clear();
    int depth = 0;
    while (true) {
      SkipSpaces();
      if (pos_ >= src_.size()) {
        if (!brackets_.empty()) {
          // `{{ (a + b }}`: the '}}' was read inside the parenthesis.
          size_t at = brackets_.back();
          char want = src_[at] == '(' ? ')' : src_[at] == '[' ? ']' : '}';
          throw SyntaxError(src_, at, "unclosed '" + std::string(1, src_[at]) + "'",
                            "'" + std::string(1, want) + "'");
        }
        std::string open(src_.substr(tag, 2));
        throw SyntaxError(src_, tag, "unclosed '" + open + "'", "'" + std::string(close) + "'");
      }
      if (depth == 0) {
        size_t p = pos_;
        char modifier = 0;
        if ((src_[p] == '-' || (end == TokenKind::kBlockEnd && src_[p] == '+')) &&
            src_.substr(p + 1, 2) == close) {
          modifier = src_[p++];
        }
        if (src_.substr(p, 2) == close) {
          tokens_.push_back(Token{end, pos_, src_.substr(pos_, p + 2 - pos_), {}, 0, 0});
          return {p + 2, modifier};
        }
      }
      ExpressionToken(depth);
    }
  }

  bool IsRawStart() const {
    size_t n = tokens_.size();
    return n >= 3 && tokens_[n - 3].kind == TokenKind::kBlockBegin &&
           tokens_[n - 2].kind == TokenKind::kName && tokens_[n - 2].text == "raw";
  }

  // {% raw %}: everything up to {% endraw %} is text.
  TagEnd Raw(TagEnd start) {
    size_t open = tokens_[tokens_.size() - 3].offset;
    tokens_.resize(tokens_.size() - 3);
    for (size_t at = src_.find("{%", start.next); at != npos; at = src_.find("{%", at + 2)) {
      size_t p = at + 2;
      bool strip_before = p < src_.size() && src_[p] == '-';
      if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) ++p;
      while (p < src_.size() && IsSpace(src_[p])) ++p;
      if (src_.substr(p, 6) != "endraw") continue;
      p += 6;
      while (p < src_.size() && IsSpace(src_[p])) ++p;
      char modifier = 0;
      if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) modifier = src_[p++];
      if (src_.substr(p, 2) != "%}") continue;
      std::string_view text = src_.substr(start.next, at - start.next);
      if (start.modifier == '-') text = LStripSpace(text);
      if (strip_before) text = RStripSpace(text);
      EmitText(text);
      return {p + 2, modifier};
    }
    throw SyntaxError(src_, open, "unclosed '{% raw %}'", "'{% endraw %}'");
  }

  void ExpressionToken(int& depth) {
    char c = src_[pos_];
    if (IsNameStart(c)) {
      size_t start = pos_;
      while (pos_ < src_.size() && IsNameChar(src_[pos_])) ++pos_;
      Push(TokenKind::kName, start);
    } else if (IsDigit(c)) {
      Number();
    } else if (c == '\'' || c == '"') {
      String();
    } else {
      Operator(depth);
    }
  }

  void Push(TokenKind kind, size_t start) {
    tokens_.push_back(Token{kind, start, src_.substr(start, pos_ - start), {}, 0, 0});
  }

  void Number() {
    size_t start = pos_;
    auto digits = [&](auto is_digit) {
      while (pos_ < src_.size() &&
             (is_digit(src_[pos_]) ||
              (src_[pos_] == '_' && pos_ + 1 < src_.size() && is_digit(src_[pos_ + 1])))) {
        ++pos_;
      }
    };
    bool is_float = false;
    bool prefixed = false;
    char prefix = pos_ + 1 < src_.size() ? static_cast<char>(src_[pos_ + 1] | 0x20) : 0;
    if (src_[pos_] == '0' && (prefix == 'x' || prefix == 'o' || prefix == 'b')) {
      pos_ += 2;
      prefixed = true;
      digits([](char ch) { return IsHex(ch); });
    } else {
      digits(IsDigit);
      // After a dot (`a.0.1`) a number is an index, never a float.
      bool after_dot = start > 0 && src_[start - 1] == '.';
      if (!after_dot && pos_ + 1 < src_.size() && src_[pos_] == '.' && IsDigit(src_[pos_ + 1])) {
        ++pos_;
        digits(IsDigit);
        is_float = true;
      }
      if (!after_dot && pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
        size_t p = pos_ + 1;
        if (p < src_.size() && (src_[p] == '+' || src_[p] == '-')) ++p;
        if (p < src_.size() && IsDigit(src_[p])) {
          pos_ = p;
          digits(IsDigit);
          is_float = true;
        }
      }
    }
    Push(is_float ? TokenKind::kFloat : TokenKind::kInteger, start);
    Token& token = tokens_.back();
    if (is_float) {
      auto value = ParsePyFloat(token.text);
      if (!value)
        throw SyntaxError(src_, start, "invalid number '" + std::string(token.text) + "'");
      token.float_value = *value;
    } else {
      auto value = ParsePyInt(token.text, prefixed ? 0 : 10);
      if (!value)
        throw SyntaxError(src_, start, "invalid number '" + std::string(token.text) + "'");
      token.int_value = *value;
    }
  }

  uint32_t Hex(size_t at, size_t count, size_t escape_start) {
    if (at + count > src_.size())
      throw SyntaxError(src_, escape_start, "truncated escape sequence");
    uint32_t value = 0;
    for (size_t i = 0; i < count; ++i) {
      char h = src_[at + i];
      if (!IsHex(h)) throw SyntaxError(src_, escape_start, "truncated escape sequence");
      value = value * 16 + static_cast<uint32_t>(IsDigit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
    }
    return value;
  }

  // A string literal with Python's escapes; unknown escapes such as "\d"
  // stay as written, so regex patterns read naturally.
  void String() {
    size_t start = pos_;
    char quote = src_[pos_++];
    std::string value;
    while (true) {
      if (pos_ >= src_.size()) throw SyntaxError(src_, start, "unterminated string literal");
      char c = src_[pos_];
      if (c == quote) {
        ++pos_;
        break;
      }
      if (c == '\r') {  // newlines are normalized, in literals as in text
        value += '\n';
        pos_ += src_.substr(pos_, 2) == "\r\n" ? 2 : 1;
        continue;
      }
      if (c != '\\' || pos_ + 1 >= src_.size()) {
        value += c;
        ++pos_;
        continue;
      }
      size_t escape = pos_;
      char e = src_[pos_ + 1];
      pos_ += 2;
      switch (e) {
        case '\n':
          break;  // line continuation
        case '\\':
          value += '\\';
          break;
        case '\'':
          value += '\'';
          break;
        case '"':
          value += '"';
          break;
        case 'n':
          value += '\n';
          break;
        case 't':
          value += '\t';
          break;
        case 'r':
          value += '\r';
          break;
        case 'a':
          value += '\a';
          break;
        case 'b':
          value += '\b';
          break;
        case 'f':
          value += '\f';
          break;
        case 'v':
          value += '\v';
          break;
        case 'x':
          AppendUtf8(value, Hex(pos_, 2, escape));
          pos_ += 2;
          break;
        case 'u':
          AppendUtf8(value, Hex(pos_, 4, escape));
          pos_ += 4;
          break;
        case 'U': {
          uint32_t cp = Hex(pos_, 8, escape);
          if (cp > 0x10FFFF) throw SyntaxError(src_, escape, "invalid \\U escape");
          AppendUtf8(value, cp);
          pos_ += 8;
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            uint32_t cp = static_cast<uint32_t>(e - '0');
            for (int i = 0; i < 2 && pos_ < src_.size() && src_[pos_] >= '0' && src_[pos_] <= '7';
                 ++i) {
              cp = cp * 8 + static_cast<uint32_t>(src_[pos_++] - '0');
            }
            AppendUtf8(value, cp);
          } else {
            value += '\\';
            value += e;
          }
      }
    }
    Push(TokenKind::kString, start);
    tokens_.back().string_value = std::move(value);
  }

  void Operator(int& depth) {
    static constexpr std::string_view kTwo[] = {"//", "**", "==", "!=", "<=", ">="};
    size_t start = pos_;
    for (std::string_view op : kTwo) {
      if (src_.substr(pos_, 2) == op) {
        pos_ += 2;
        Push(TokenKind::kOperator, start);
        return;
      }
    }
    char c = src_[pos_];
    if (std::string_view("+-*/%~<>=()[]{}.,:|").find(c) == npos) {
      std::string shown(SplitCodePoints(src_.substr(pos_, 4)).front());
      throw SyntaxError(src_, pos_, "unexpected character '" + shown + "'");
    }
    if (c == '(' || c == '[' || c == '{') {
      ++depth;
      brackets_.push_back(pos_);
    }
    if ((c == ')' || c == ']' || c == '}') && depth > 0) {
      size_t open = brackets_.back();
      char want = src_[open] == '(' ? ')' : src_[open] == '[' ? ']' : '}';
      if (c != want) {
        // `{{ (a + b }}`: the bracket, not the tag, is what is left open.
        throw SyntaxError(src_, open, "unclosed '" + std::string(1, src_[open]) + "'",
                          "'" + std::string(1, want) + "'");
      }
      --depth;
      brackets_.pop_back();
    }
    ++pos_;
    Push(TokenKind::kOperator, start);
  }

  std::string_view src_;
  size_t pos_ = 0;
  std::vector<Token> tokens_;
  std::vector<size_t> brackets_;  // offsets of the open brackets in the current tag
};

}  // namespace

std::vector<Token> LexTemplate(std::string_view source) {
  return Lexer(source).Template();
}

std::vector<Token> LexExpression(std::string_view source) {
  return Lexer(source).Expression();
}

}  // namespace deployctl::template_internal
