// Template operators with Python's semantics: 1 == 1.0, True == 1,
// 7 // 2 == 3, -7 % 3 == 2, "a" + "b", [1] + [2], "ab" * 2. Errors use
// Python's wording ("unsupported operand type(s) for -: 'str' and 'int'").
#pragma once

#include "orchestrator/core/value.h"

namespace deployctl::template_internal {

enum class BinaryOp { kAdd, kSub, kMul, kDiv, kFloorDiv, kMod, kPow, kConcat };
enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe, kIn, kNotIn };

// Source spelling ("+", "not in"), for messages.
const char* OpSymbol(BinaryOp op);
const char* OpSymbol(CompareOp op);

bool PyEquals(const Value& a, const Value& b);

// Three-way ordering for < <= > >=; throws for unorderable types.
int PyCompare(const Value& a, const Value& b, CompareOp op);

// `item in container` for strings (substring), lists and dict keys.
bool PyContains(const Value& container, const Value& item);

bool Compare(CompareOp op, const Value& a, const Value& b);
Value Binary(BinaryOp op, const Value& a, const Value& b);
Value Negate(const Value& value);
Value UnaryPlus(const Value& value);

// Numbers, counting bool as Python does (True + 1 == 2).
bool IsNumeric(const Value& value);
bool IsIntegral(const Value& value);  // int or bool
double AsDouble(const Value& value);
int64_t AsInt(const Value& value);

}  // namespace deployctl::template_internal
