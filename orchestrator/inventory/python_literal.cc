#include "orchestrator/inventory/python_literal.h"

#include <cctype>
#include <cmath>
#include <limits>
#include <string>

#include "orchestrator/core/utf8.h"

namespace deployctl {
namespace {

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// A JSON object key for a Python dict key, as json.dumps renders it.
std::optional<std::string> KeyText(const Value& key) {
  if (key.is_string()) return key.get<std::string>();
  if (key.is_boolean()) return key.get<bool>() ? "true" : "false";
  if (key.is_null()) return "null";
  if (key.is_number()) return key.dump();
  return std::nullopt;  // a tuple: json.dumps would fail
}

// One recursive-descent pass; every method returns nullopt where Python's
// literal_eval would raise, leaving the position unspecified.
class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  std::optional<Value> Document() {
    auto value = Expression();
    SkipBlank();
    if (!value || pos_ != s_.size()) return std::nullopt;
    return value;
  }

 private:
  static constexpr int kMaxDepth = 100;

  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek(size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }

  void SkipBlank() {
    while (!AtEnd()) {
      const char c = Peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        ++pos_;
      } else if (c == '#') {
        while (!AtEnd() && Peek() != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  bool Accept(char c) {
    SkipBlank();
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }

  std::optional<Value> Expression() {
    if (++depth_ > kMaxDepth) return std::nullopt;
    auto value = SignedOrPrimary();
    --depth_;
    return value;
  }

  std::optional<Value> SignedOrPrimary() {
    SkipBlank();
    const char c = Peek();
    if (c != '+' && c != '-') return Primary();
    ++pos_;
    // literal_eval allows one sign, and only on an int or float.
    auto operand = Primary();
    if (!operand || !operand->is_number()) return std::nullopt;
    if (c == '+') return operand;
    if (operand->is_number_float()) return Value(-operand->get<double>());
    const auto n = operand->get<long long>();
    if (n == std::numeric_limits<long long>::min()) return std::nullopt;
    return Value(-n);
  }

  std::optional<Value> Primary() {
    SkipBlank();
    const char c = Peek();
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && std::isdigit(static_cast<unsigned char>(Peek(1))))) {
      return Number();
    }
    if (StringStartLength() != 0) return Strings();
    if (c == '[') return Sequence(']');
    if (c == '(') return Parenthesized();
    if (c == '{') return Dict();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') return Name();
    return std::nullopt;
  }

  std::optional<Value> Name() {
    const size_t start = pos_;
    while (!AtEnd() && IsIdentChar(Peek())) ++pos_;
    const std::string_view name = s_.substr(start, pos_ - start);
    if (name == "True") return Value(true);
    if (name == "False") return Value(false);
    if (name == "None") return Value(nullptr);
    return std::nullopt;
  }

  // Digits with single underscores between them; empty when none.
  std::string DigitPart(bool (*is_digit)(char)) {
    std::string digits;
    while (!AtEnd()) {
      if (is_digit(Peek())) {
        digits += Peek();
        ++pos_;
      } else if (Peek() == '_' && !digits.empty() && is_digit(Peek(1))) {
        ++pos_;
      } else {
        break;
      }
    }
    return digits;
  }

  static bool Dec(char c) { return c >= '0' && c <= '9'; }
  static bool Hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
  static bool Oct(char c) { return c >= '0' && c <= '7'; }
  static bool Bin(char c) { return c == '0' || c == '1'; }

  std::optional<Value> Integer(const std::string& digits, int base) {
    if (digits.empty() || digits.size() > 64) return std::nullopt;
    try {
      size_t used = 0;
      const long long n = std::stoll(digits, &used, base);
      if (used != digits.size()) return std::nullopt;
      return Value(n);
    } catch (const std::exception&) {
      return std::nullopt;  // beyond 64 bits
    }
  }

  std::optional<Value> Number() {
    const char next = static_cast<char>(std::tolower(static_cast<unsigned char>(Peek(1))));
    std::optional<Value> value;
    if (Peek() == '0' && (next == 'x' || next == 'o' || next == 'b')) {
      pos_ += 2;
      if (Peek() == '_') ++pos_;  // 0x_ff is valid Python
      const int base = next == 'x' ? 16 : next == 'o' ? 8 : 2;
      value = Integer(DigitPart(base == 16 ? Hex : base == 8 ? Oct : Bin), base);
    } else {
      const std::string whole = DigitPart(Dec);
      std::string fraction, exponent;
      bool is_float = false;
      if (Peek() == '.') {
        ++pos_;
        is_float = true;
        fraction = DigitPart(Dec);
      }
      if ((Peek() == 'e' || Peek() == 'E') &&
          (Dec(Peek(1)) || ((Peek(1) == '+' || Peek(1) == '-') && Dec(Peek(2))))) {
        ++pos_;
        exponent.push_back('e');
        if (Peek() == '+' || Peek() == '-') exponent += s_[pos_++];
        exponent += DigitPart(Dec);
        is_float = true;
      }
      if (is_float) {
        std::string text = whole;
        text.append(1, '.').append(fraction).append(exponent);
        value = Value(std::strtod(text.c_str(), nullptr));
      } else if (whole.find_first_not_of('0') != std::string::npos && whole[0] == '0') {
        return std::nullopt;  // "010": leading zeros are a SyntaxError
      } else {
        value = Integer(whole, 10);
      }
    }
    // "5abc", "1__0", "1j" (complex) and friends.
    if (!AtEnd() && (IsIdentChar(Peek()) || Peek() == '.')) return std::nullopt;
    return value;
  }

  // Length of the prefix plus opening quote if a string literal starts here.
  size_t StringStartLength() const {
    size_t i = 0;
    while (i < 2 && std::isalpha(static_cast<unsigned char>(Peek(i)))) ++i;
    if (Peek(i) != '\'' && Peek(i) != '"') return 0;
    std::string prefix;
    for (size_t k = 0; k < i; ++k) prefix += static_cast<char>(std::tolower(Peek(k)));
    static const char* kPrefixes[] = {"", "r", "u", "b", "br", "rb", "f", "fr", "rf"};
    for (const char* p : kPrefixes) {
      if (prefix == p) return i + 1;
    }
    return 0;
  }

  std::optional<Value> Strings() {
    std::string text;
    int kind = 0;  // 1 str, 2 bytes: Python refuses to concatenate the two
    do {
      bool raw = false, bytes = false, formatted = false;
      while (Peek() != '\'' && Peek() != '"') {
        const char p = static_cast<char>(std::tolower(s_[pos_++]));
        raw |= p == 'r';
        bytes |= p == 'b';
        formatted |= p == 'f';
      }
      if (formatted) return std::nullopt;  // an f-string is not a literal
      const int this_kind = bytes ? 2 : 1;
      if (kind != 0 && kind != this_kind) return std::nullopt;
      kind = this_kind;
      if (!StringBody(raw, bytes, text)) return std::nullopt;
      SkipBlank();
    } while (StringStartLength() != 0);
    return Value(text);
  }

  bool StringBody(bool raw, bool bytes, std::string& out) {
    const char quote = Peek();
    const bool triple = Peek(1) == quote && Peek(2) == quote;
    pos_ += triple ? 3 : 1;
    while (true) {
      if (AtEnd()) return false;
      const char c = s_[pos_];
      if (c == quote && (!triple || (Peek(1) == quote && Peek(2) == quote))) {
        pos_ += triple ? 3 : 1;
        return true;
      }
      if (c == '\n' && !triple) return false;
      if (bytes && static_cast<unsigned char>(c) >= 0x80) return false;
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      if (pos_ + 1 >= s_.size()) return false;
      if (raw) {  // the backslash stays, but still protects the next character
        out += c;
        out += s_[pos_ + 1];
        pos_ += 2;
        continue;
      }
      ++pos_;
      if (!Escape(bytes, out)) return false;
    }
  }

  bool Escape(bool bytes, std::string& out) {
    const char e = s_[pos_++];
    auto emit = [&](unsigned long cp) {
      if (bytes) {
        out += static_cast<char>(cp & 0xFF);
      } else {
        AppendUtf8(out, static_cast<uint32_t>(cp));
      }
    };
    switch (e) {
      case '\n':
        return true;
      case '\\':
        out += '\\';
        return true;
      case '\'':
        out += '\'';
        return true;
      case '"':
        out += '"';
        return true;
      case 'a':
        out += '\a';
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'v':
        out += '\v';
        return true;
      default:
        break;
    }
    if (Oct(e)) {
      unsigned long cp = e - '0';
      for (int i = 0; i < 2 && Oct(Peek()); ++i) cp = cp * 8 + (s_[pos_++] - '0');
      emit(cp);
      return true;
    }
    const int hex_digits = e == 'x' ? 2 : (!bytes && e == 'u') ? 4 : (!bytes && e == 'U') ? 8 : 0;
    if (hex_digits == 0) {
      if (!bytes && e == 'N') return false;  // \N{NAME}: not supported
      out += '\\';                           // an unknown escape keeps its backslash
      out += e;
      return true;
    }
    unsigned long cp = 0;
    for (int i = 0; i < hex_digits; ++i) {
      if (!Hex(Peek())) return false;
      cp = cp * 16 + std::stoul(std::string(1, s_[pos_++]), nullptr, 16);
    }
    if (cp > 0x10FFFF) return false;
    emit(cp);
    return true;
  }

  // "[a, b]" or the inside of a tuple, up to `close`.
  std::optional<Value> Sequence(char close) {
    ++pos_;
    Value list = Value::array();
    while (!Accept(close)) {
      auto item = Expression();
      if (!item) return std::nullopt;
      list.push_back(std::move(*item));
      if (!Accept(',')) {
        if (!Accept(close)) return std::nullopt;
        break;
      }
    }
    return list;
  }

  // "()" and "(a, b)" are tuples (JSON lists); "(a)" is just a.
  std::optional<Value> Parenthesized() {
    ++pos_;
    if (Accept(')')) return Value::array();
    auto first = Expression();
    if (!first) return std::nullopt;
    if (Accept(')')) return first;
    if (!Accept(',')) return std::nullopt;
    Value tuple = Value::array({std::move(*first)});
    while (!Accept(')')) {
      auto item = Expression();
      if (!item) return std::nullopt;
      tuple.push_back(std::move(*item));
      if (!Accept(',')) {
        if (!Accept(')')) return std::nullopt;
        break;
      }
    }
    return tuple;
  }

  std::optional<Value> Dict() {
    ++pos_;
    Value dict = Value::object();
    while (!Accept('}')) {
      auto key = Expression();
      // A set ("{1, 2}") has no colon; sets are not supported.
      if (!key || !Accept(':')) return std::nullopt;
      auto value = Expression();
      auto key_text = key ? KeyText(*key) : std::nullopt;
      if (!value || !key_text) return std::nullopt;
      dict[*key_text] = std::move(*value);
      if (!Accept(',')) {
        if (!Accept('}')) return std::nullopt;
        break;
      }
    }
    return dict;
  }

  std::string_view s_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

std::optional<Value> PythonLiteral(std::string_view text) {
  // Python 3.11's literal_eval strips leading spaces and tabs.
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  return Parser(text).Document();
}

Value IniValue(std::string_view text) {
  auto value = PythonLiteral(text);
  return value ? std::move(*value) : Value(std::string(text));
}

}  // namespace deployctl
