// The parsed form of a template: expressions (Expr) and statements (Node).
// One tagged struct per level keeps the evaluator a plain switch; the
// comment on each kind says which fields it uses.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "orchestrator/core/value.h"
#include "orchestrator/vars/template_ops.h"

namespace deployctl::template_internal {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// Arguments of a filter, test, method or function call.
struct CallArgs {
  std::vector<ExprPtr> positional;
  std::vector<std::pair<std::string, ExprPtr>> keyword;
};

struct Expr {
  enum class Kind {
    kLiteral,    // value
    kName,       // name
    kAttr,       // operands[0] . name
    kIndex,      // operands[0] [ operands[1] ]
    kSlice,      // operands[0] [ operands[1] : operands[2] : operands[3] ], null = omitted
    kList,       // [ operands... ], or ( operands... ) when `tuple`
    kDict,       // { operands[0]: operands[1], operands[2]: operands[3], ... }
    kNot,        // not operands[0]
    kNegate,     // - operands[0]
    kPlus,       // + operands[0]
    kBinary,     // operands[0] binary_op operands[1]
    kCompare,    // operands[0] compare_ops[0] operands[1] compare_ops[1] operands[2] ...
    kAnd,        // operands[0] and operands[1]
    kOr,         // operands[0] or operands[1]
    kCondition,  // operands[1] if operands[0] else operands[2] (null: no else)
    kFilter,     // operands[0] | name(args); builtin = filter index
    kTest,       // operands[0] is [not] name(args); builtin = test index; negated
    kMethod,     // operands[0] . name(args)
    kFunction,   // name(args)
  };

  Kind kind = Kind::kLiteral;
  size_t begin = 0;  // source span, for messages
  size_t end = 0;
  std::string name;
  Value value;
  BinaryOp binary_op = BinaryOp::kAdd;
  std::vector<CompareOp> compare_ops;
  bool negated = false;
  bool tuple = false;  // kList written as a tuple: Python prints it (1, 2)
  size_t builtin = 0;
  std::vector<ExprPtr> operands;
  CallArgs args;
};

struct Node;

// One `if`/`elif`/`else` arm; `condition` is null for `else`.
struct Branch {
  ExprPtr condition;
  std::vector<Node> body;
};

struct Node {
  enum class Kind {
    kText,    // source[text_begin, text_begin + text_size)
    kOutput,  // {{ expr }}
    kIf,      // branches
    kFor,     // {% for targets in expr [if filter] %} body {% else %} else_body
    kSet,     // {% set targets[0] = expr %}
  };

  Kind kind = Kind::kText;
  size_t offset = 0;
  size_t text_begin = 0;
  size_t text_size = 0;
  ExprPtr expr;
  std::vector<Branch> branches;
  std::vector<std::string> targets;
  ExprPtr filter;
  std::vector<Node> body;
  std::vector<Node> else_body;
};

// A parsed template or bare expression. Spans refer to `source`.
struct Template {
  std::string source;
  std::vector<Node> nodes;  // a template's statements
  ExprPtr expression;       // a bare expression's root
};

}  // namespace deployctl::template_internal
