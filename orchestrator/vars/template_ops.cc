#include "orchestrator/vars/template_ops.h"

#include <cmath>
#include <limits>
#include <string>

#include "orchestrator/vars/template.h"
#include "orchestrator/vars/template_format.h"

namespace deployctl {

bool IsTruthy(const Value& value) {
  switch (value.type()) {
    case Value::value_t::null:
      return false;
    case Value::value_t::boolean:
      return value.get<bool>();
    case Value::value_t::number_integer:
      return value.get<int64_t>() != 0;
    case Value::value_t::number_unsigned:
      return value.get<uint64_t>() != 0;
    case Value::value_t::number_float:
      return value.get<double>() != 0.0;
    // json::empty() is false for every string, so test the text itself.
    case Value::value_t::string:
      return !value.get_ref<const std::string&>().empty();
    case Value::value_t::array:
    case Value::value_t::object:
      return !value.empty();
    default:
      return false;
  }
}

}  // namespace deployctl

namespace deployctl::template_internal {
namespace {

// Values too large for int64 (only unsigned JSON numbers) go through double.
bool FitsInt(const Value& v) {
  return v.is_boolean() ||
         (v.is_number_integer() &&
          (!v.is_number_unsigned() ||
           v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())));
}

[[noreturn]] void Unsupported(const char* symbol, const Value& a, const Value& b) {
  throw TemplateError(std::string("unsupported operand type(s) for ") + symbol + ": '" +
                      std::string(PyTypeName(a)) + "' and '" + std::string(PyTypeName(b)) + "'");
}

// Python floors integer division and takes the divisor's sign for modulo.
int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

double FloatMod(double a, double b) {
  double r = std::fmod(a, b);
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

Value Repeat(const Value& seq, int64_t times) {
  // A typo like `'-' * 10000000000` must not exhaust memory.
  size_t unit = seq.is_string() ? seq.get_ref<const std::string&>().size() : seq.size();
  if (times > 0 && unit > 0 && static_cast<uint64_t>(times) > (64u << 20) / unit) {
    throw TemplateError("repetition result too large");
  }
  if (seq.is_string()) {
    std::string out;
    for (int64_t i = 0; i < times; ++i) out += seq.get_ref<const std::string&>();
    return out;
  }
  Value out = Value::array();
  for (int64_t i = 0; i < times; ++i) {
    for (const auto& item : seq) out.push_back(item);
  }
  return out;
}

Value IntPow(int64_t base, int64_t exp) {
  int64_t result = 1;
  for (int64_t i = 0; i < exp; ++i) {
    if (__builtin_mul_overflow(result, base, &result)) {
      return std::pow(static_cast<double>(base), static_cast<double>(exp));
    }
  }
  return result;
}

Value Arithmetic(BinaryOp op, const Value& a, const Value& b) {
  const char* symbol = OpSymbol(op);
  if (!IsNumeric(a) || !IsNumeric(b)) Unsupported(symbol, a, b);
  bool integral = FitsInt(a) && FitsInt(b);
  if (integral) {
    int64_t x = AsInt(a), y = AsInt(b), r = 0;
    switch (op) {
      case BinaryOp::kAdd:
        if (!__builtin_add_overflow(x, y, &r)) return r;
        break;
      case BinaryOp::kSub:
        if (!__builtin_sub_overflow(x, y, &r)) return r;
        break;
      case BinaryOp::kMul:
        if (!__builtin_mul_overflow(x, y, &r)) return r;
        break;
      case BinaryOp::kFloorDiv:
        if (y == 0) throw TemplateError("integer division or modulo by zero");
        if (!(x == std::numeric_limits<int64_t>::min() && y == -1)) return FloorDiv(x, y);
        break;
      case BinaryOp::kMod:
        if (y == 0) throw TemplateError("integer division or modulo by zero");
        if (y == -1) return 0;
        return x - FloorDiv(x, y) * y;
      case BinaryOp::kPow:
        if (y >= 0) return IntPow(x, y);
        break;
      default:
        break;
    }
  }
  double x = AsDouble(a), y = AsDouble(b);
  switch (op) {
    case BinaryOp::kAdd:
      return x + y;
    case BinaryOp::kSub:
      return x - y;
    case BinaryOp::kMul:
      return x * y;
    case BinaryOp::kDiv:
      if (y == 0) throw TemplateError("division by zero");
      return x / y;
    case BinaryOp::kFloorDiv:
      if (y == 0) throw TemplateError("float floor division by zero");
      return std::floor(x / y);
    case BinaryOp::kMod:
      if (y == 0) throw TemplateError("float modulo");
      return FloatMod(x, y);
    case BinaryOp::kPow:
      if (x == 0 && y < 0) throw TemplateError("0.0 cannot be raised to a negative power");
      return std::pow(x, y);
    default:
      Unsupported(symbol, a, b);
  }
}

bool IsSequenceForRepeat(const Value& v) {
  return v.is_string() || v.is_array();
}

}  // namespace

const char* OpSymbol(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kFloorDiv:
      return "//";
    case BinaryOp::kMod:
      return "%";
    case BinaryOp::kPow:
      return "**";
    case BinaryOp::kConcat:
      return "~";
  }
  return "?";
}

const char* OpSymbol(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "==";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
    case CompareOp::kIn:
      return "in";
    case CompareOp::kNotIn:
      return "not in";
  }
  return "?";
}

bool IsNumeric(const Value& v) {
  return v.is_number() || v.is_boolean();
}
bool IsIntegral(const Value& v) {
  return v.is_number_integer() || v.is_boolean();
}

double AsDouble(const Value& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  if (v.is_number_unsigned()) return static_cast<double>(v.get<uint64_t>());
  if (v.is_number_integer()) return static_cast<double>(v.get<int64_t>());
  return v.get<double>();
}

int64_t AsInt(const Value& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
  if (v.is_number_integer()) return v.get<int64_t>();
  return static_cast<int64_t>(v.get<double>());
}

bool PyEquals(const Value& a, const Value& b) {
  if (IsNumeric(a) && IsNumeric(b)) {
    if (FitsInt(a) && FitsInt(b)) return AsInt(a) == AsInt(b);
    return AsDouble(a) == AsDouble(b);
  }
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!PyEquals(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (const auto& [key, item] : a.items()) {
      auto it = b.find(key);
      if (it == b.end() || !PyEquals(item, *it)) return false;
    }
    return true;
  }
  return a == b;
}

int PyCompare(const Value& a, const Value& b, CompareOp op) {
  if (IsNumeric(a) && IsNumeric(b)) {
    if (FitsInt(a) && FitsInt(b)) {
      int64_t x = AsInt(a), y = AsInt(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    double x = AsDouble(a), y = AsDouble(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) {
    int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (a.is_array() && b.is_array()) {
    size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      if (!PyEquals(a[i], b[i])) return PyCompare(a[i], b[i], op);
    }
    return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
  }
  throw TemplateError(std::string("'") + OpSymbol(op) + "' not supported between instances of '" +
                      std::string(PyTypeName(a)) + "' and '" + std::string(PyTypeName(b)) + "'");
}

bool PyContains(const Value& container, const Value& item) {
  if (container.is_string()) {
    if (!item.is_string()) {
      throw TemplateError("'in <string>' requires string as left operand, not " +
                          std::string(PyTypeName(item)));
    }
    return container.get_ref<const std::string&>().find(item.get_ref<const std::string&>()) !=
           std::string::npos;
  }
  if (container.is_array()) {
    for (const auto& element : container) {
      if (PyEquals(element, item)) return true;
    }
    return false;
  }
  if (container.is_object()) {
    return item.is_string() && container.contains(item.get_ref<const std::string&>());
  }
  throw TemplateError("argument of type '" + std::string(PyTypeName(container)) +
                      "' is not iterable");
}

bool Compare(CompareOp op, const Value& a, const Value& b) {
  switch (op) {
    case CompareOp::kEq:
      return PyEquals(a, b);
    case CompareOp::kNe:
      return !PyEquals(a, b);
    case CompareOp::kLt:
      return PyCompare(a, b, op) < 0;
    case CompareOp::kLe:
      return PyCompare(a, b, op) <= 0;
    case CompareOp::kGt:
      return PyCompare(a, b, op) > 0;
    case CompareOp::kGe:
      return PyCompare(a, b, op) >= 0;
    case CompareOp::kIn:
      return PyContains(b, a);
    case CompareOp::kNotIn:
      return !PyContains(b, a);
  }
  return false;
}

Value Binary(BinaryOp op, const Value& a, const Value& b) {
  switch (op) {
    case BinaryOp::kConcat: {
      std::string out = PyStr(a);
      AppendPyStr(out, b);
      return out;
    }
    case BinaryOp::kAdd:
      if (a.is_string() && b.is_string()) {
        return a.get_ref<const std::string&>() + b.get_ref<const std::string&>();
      }
      if (a.is_array() && b.is_array()) {
        Value out = a;
        for (const auto& item : b) out.push_back(item);
        return out;
      }
      return Arithmetic(op, a, b);
    case BinaryOp::kMul:
      if (IsSequenceForRepeat(a) && IsIntegral(b)) return Repeat(a, AsInt(b));
      if (IsIntegral(a) && IsSequenceForRepeat(b)) return Repeat(b, AsInt(a));
      return Arithmetic(op, a, b);
    case BinaryOp::kMod:
      if (a.is_string()) return PyPercentFormat(a.get_ref<const std::string&>(), b, false);
      return Arithmetic(op, a, b);
    default:
      return Arithmetic(op, a, b);
  }
}

Value Negate(const Value& value) {
  if (!IsNumeric(value)) {
    throw TemplateError("bad operand type for unary -: '" + std::string(PyTypeName(value)) + "'");
  }
  if (FitsInt(value) && AsInt(value) != std::numeric_limits<int64_t>::min()) return -AsInt(value);
  return -AsDouble(value);
}

Value UnaryPlus(const Value& value) {
  if (!IsNumeric(value)) {
    throw TemplateError("bad operand type for unary +: '" + std::string(PyTypeName(value)) + "'");
  }
  if (value.is_boolean()) return AsInt(value);
  return value;
}

}  // namespace deployctl::template_internal
