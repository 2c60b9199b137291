#include "orchestrator/vars/template_parser.h"

#include <algorithm>
#include <initializer_list>

#include "orchestrator/core/spelling.h"
#include "orchestrator/vars/template_filters.h"
#include "orchestrator/vars/template_lexer.h"
#include "orchestrator/vars/template_methods.h"
#include "orchestrator/vars/template_predicates.h"
#include "orchestrator/vars/template_syntax_error.h"

namespace deployctl::template_internal {
namespace {

constexpr int kMaxDepth = 100;  // nesting of expressions and blocks

constexpr std::string_view kKeywords[] = {"and", "or", "not", "in", "is", "if", "else"};

bool IsKeyword(std::string_view name) {
  return std::find(std::begin(kKeywords), std::end(kKeywords), name) != std::end(kKeywords);
}

// Tags that close or continue a block, and what they belong to.
std::string_view OwnerOf(std::string_view tag) {
  if (tag == "endif" || tag == "elif") return "if";
  if (tag == "endfor") return "for";
  if (tag == "else") return "if %} or {% for";
  return {};
}

// An open block, for "unclosed" and "unexpected end tag" messages.
struct OpenBlock {
  std::string_view tag;  // "if", "for"
  size_t offset;
};

class Parser {
 public:
  Parser(std::string_view source, std::vector<Token> tokens)
      : src_(source), tokens_(std::move(tokens)) {}

  std::vector<Node> Body(std::initializer_list<std::string_view> stop, const OpenBlock* open) {
    DepthGuard guard(*this);
    std::vector<Node> nodes;
    while (true) {
      const Token& token = Peek();
      switch (token.kind) {
        case TokenKind::kText: {
          Node node;
          node.kind = Node::Kind::kText;
          node.offset = token.offset;
          node.text_begin = token.offset;
          node.text_size = token.text.size();
          nodes.push_back(std::move(node));
          Next();
          break;
        }
        case TokenKind::kVarBegin: {
          Node node;
          node.kind = Node::Kind::kOutput;
          node.offset = Next().offset;
          node.expr = Expression();
          Expect(TokenKind::kVarEnd, "'}}'");
          nodes.push_back(std::move(node));
          break;
        }
        case TokenKind::kBlockBegin: {
          const Token& name = Peek(1);
          if (name.kind != TokenKind::kName) Unexpected(name, "a tag name");
          if (std::find(stop.begin(), stop.end(), name.text) != stop.end()) return nodes;
          nodes.push_back(Statement(open));
          break;
        }
        case TokenKind::kEnd:
          if (open != nullptr) {
            throw SyntaxError(src_, open->offset, "unclosed '{% " + std::string(open->tag) + " %}'",
                              "'{% end" + std::string(open->tag) + " %}'");
          }
          return nodes;
        default:
          Unexpected(token, "text or a tag");
      }
    }
  }

  ExprPtr BareExpression() {
    ExprPtr expr = Expression();
    if (Peek().kind != TokenKind::kEnd) Unexpected(Peek(), "end of expression");
    return expr;
  }

 private:
  // Limits recursion so that "((((...". fails cleanly instead of overflowing.
  struct DepthGuard {
    explicit DepthGuard(Parser& p) : parser(p) {
      if (++parser.depth_ > kMaxDepth) {
        throw SyntaxError(parser.src_, parser.Peek().offset, "template nested too deeply");
      }
    }
    ~DepthGuard() { --parser.depth_; }
    Parser& parser;
  };

  // --- token access --------------------------------------------------------

  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }

  const Token& Next() {
    const Token& token = Peek();
    if (pos_ < tokens_.size() - 1) ++pos_;
    last_end_ = token.offset + token.text.size();
    return token;
  }

  bool IsOp(std::string_view op, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == TokenKind::kOperator && t.text == op;
  }

  bool IsName(std::string_view name, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == TokenKind::kName && t.text == name;
  }

  bool SkipOp(std::string_view op) {
    if (!IsOp(op)) return false;
    Next();
    return true;
  }

  bool SkipName(std::string_view name) {
    if (!IsName(name)) return false;
    Next();
    return true;
  }

  [[noreturn]] void Unexpected(const Token& token, std::string_view expected) const {
    std::string what = token.kind == TokenKind::kEnd
                           ? "unexpected end of expression"
                           : "unexpected '" + std::string(token.text) + "'";
    throw SyntaxError(src_, token.offset, what, expected);
  }

  void Expect(TokenKind kind, std::string_view expected) {
    if (Peek().kind != kind) Unexpected(Peek(), expected);
    Next();
  }

  void ExpectOp(std::string_view op) {
    if (!IsOp(op)) Unexpected(Peek(), "'" + std::string(op) + "'");
    Next();
  }

  std::string ExpectIdentifier(std::string_view expected) {
    const Token& t = Peek();
    if (t.kind != TokenKind::kName || IsKeyword(t.text)) Unexpected(t, expected);
    Next();
    return std::string(t.text);
  }

  ExprPtr Make(Expr::Kind kind, size_t begin) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->begin = begin;
    e->end = last_end_;
    return e;
  }

  ExprPtr Make(Expr::Kind kind, ExprPtr first) {
    size_t begin = first->begin;
    auto e = Make(kind, begin);
    e->operands.push_back(std::move(first));
    return e;
  }

  void Finish(Expr& e) { e.end = last_end_; }

  // --- statements ----------------------------------------------------------

  [[noreturn]] void Misplaced(const Token& begin, std::string_view tag, const OpenBlock* open) {
    std::string shown = "{% " + std::string(tag) + " %}";
    if (open == nullptr) {
      throw SyntaxError(src_, begin.offset,
                        shown + " without {% " + std::string(OwnerOf(tag)) + " %}");
    }
    throw SyntaxError(src_, begin.offset, "unexpected '" + shown + "'",
                      "'{% end" + std::string(open->tag) + " %}'");
  }

  Node Statement(const OpenBlock* open) {
    const Token& begin = Next();
    const Token& name = Next();
    Node node;
    node.offset = begin.offset;
    if (name.text == "if") return If(std::move(node));
    if (name.text == "for") return For(std::move(node));
    if (name.text == "set") return Set(std::move(node));
    if (!OwnerOf(name.text).empty()) Misplaced(begin, name.text, open);
    throw SyntaxError(src_, name.offset, "unknown tag '" + std::string(name.text) + "'");
  }

  void EndTag() { Expect(TokenKind::kBlockEnd, "'%}'"); }

  // At "{% name": consumes both tokens and returns the name.
  std::string_view TagName() {
    Next();
    return Next().text;
  }

  Node If(Node node) {
    node.kind = Node::Kind::kIf;
    OpenBlock open{"if", node.offset};
    ExprPtr condition = Expression();
    EndTag();
    while (true) {
      auto body = Body({"elif", "else", "endif"}, &open);
      node.branches.push_back(Branch{std::move(condition), std::move(body)});
      std::string_view tag = TagName();
      if (tag == "elif") {
        condition = Expression();
        EndTag();
      } else if (tag == "else") {
        EndTag();
        node.branches.push_back(Branch{nullptr, Body({"endif"}, &open)});
        TagName();
        EndTag();
        return node;
      } else {
        EndTag();
        return node;
      }
    }
  }

  Node For(Node node) {
    node.kind = Node::Kind::kFor;
    OpenBlock open{"for", node.offset};
    node.targets.push_back(ExpectIdentifier("a loop variable name"));
    while (SkipOp(",")) node.targets.push_back(ExpectIdentifier("a loop variable name"));
    if (!SkipName("in")) Unexpected(Peek(), "'in'");
    node.expr = Or();  // no `x if c` here: a trailing `if` filters the loop
    if (SkipName("if")) node.filter = Expression();
    EndTag();
    node.body = Body({"else", "endfor"}, &open);
    if (TagName() == "else") {
      EndTag();
      node.else_body = Body({"endfor"}, &open);
      TagName();
    }
    EndTag();
    return node;
  }

  Node Set(Node node) {
    node.kind = Node::Kind::kSet;
    node.targets.push_back(ExpectIdentifier("a variable name"));
    ExpectOp("=");
    node.expr = Expression();
    EndTag();
    return node;
  }

  // --- expressions ---------------------------------------------------------

  ExprPtr Expression() {
    DepthGuard guard(*this);
    ExprPtr expr = Or();
    while (SkipName("if")) {
      auto cond = Make(Expr::Kind::kCondition, expr->begin);
      cond->operands.push_back(Or());
      cond->operands.push_back(std::move(expr));
      cond->operands.push_back(SkipName("else") ? Expression() : nullptr);
      Finish(*cond);
      expr = std::move(cond);
    }
    return expr;
  }

  ExprPtr Or() {
    ExprPtr left = And();
    while (SkipName("or")) {
      auto e = Make(Expr::Kind::kOr, std::move(left));
      e->operands.push_back(And());
      Finish(*e);
      left = std::move(e);
    }
    return left;
  }

  ExprPtr And() {
    ExprPtr left = Not();
    while (SkipName("and")) {
      auto e = Make(Expr::Kind::kAnd, std::move(left));
      e->operands.push_back(Not());
      Finish(*e);
      left = std::move(e);
    }
    return left;
  }

  ExprPtr Not() {
    if (IsName("not")) {
      size_t begin = Next().offset;
      DepthGuard guard(*this);
      auto e = Make(Expr::Kind::kNot, begin);
      e->operands.push_back(Not());
      Finish(*e);
      return e;
    }
    return Comparison();
  }

  std::optional<CompareOp> ComparisonOp() {
    static constexpr std::pair<std::string_view, CompareOp> kOps[] = {
        {"==", CompareOp::kEq}, {"!=", CompareOp::kNe}, {"<", CompareOp::kLt},
        {"<=", CompareOp::kLe}, {">", CompareOp::kGt},  {">=", CompareOp::kGe}};
    for (const auto& [text, op] : kOps) {
      if (SkipOp(text)) return op;
    }
    if (SkipName("in")) return CompareOp::kIn;
    if (IsName("not") && IsName("in", 1)) {
      Next();
      Next();
      return CompareOp::kNotIn;
    }
    return std::nullopt;
  }

  ExprPtr Comparison() {
    ExprPtr left = Additive();
    std::optional<CompareOp> op = ComparisonOp();
    if (!op) return left;
    auto e = Make(Expr::Kind::kCompare, std::move(left));
    do {
      e->compare_ops.push_back(*op);
      e->operands.push_back(Additive());
    } while ((op = ComparisonOp()));
    Finish(*e);
    return e;
  }

  template <typename Next>
  ExprPtr BinaryLevel(std::initializer_list<std::pair<std::string_view, BinaryOp>> ops, Next next) {
    ExprPtr left = (this->*next)();
    while (true) {
      auto hit = std::find_if(ops.begin(), ops.end(), [&](const auto& o) { return IsOp(o.first); });
      if (hit == ops.end()) return left;
      Parser::Next();
      auto e = Make(Expr::Kind::kBinary, std::move(left));
      e->binary_op = hit->second;
      e->operands.push_back((this->*next)());
      Finish(*e);
      left = std::move(e);
    }
  }

  ExprPtr Additive() {
    return BinaryLevel({{"+", BinaryOp::kAdd}, {"-", BinaryOp::kSub}}, &Parser::Concat);
  }
  ExprPtr Concat() { return BinaryLevel({{"~", BinaryOp::kConcat}}, &Parser::Multiplicative); }
  ExprPtr Multiplicative() {
    return BinaryLevel({{"*", BinaryOp::kMul},
                        {"/", BinaryOp::kDiv},
                        {"//", BinaryOp::kFloorDiv},
                        {"%", BinaryOp::kMod}},
                       &Parser::Power);
  }
  ExprPtr Power() { return BinaryLevel({{"**", BinaryOp::kPow}}, &Parser::Unary); }

  ExprPtr Unary() { return UnaryWith(true); }

  ExprPtr UnaryWith(bool with_filters) {
    DepthGuard guard(*this);
    ExprPtr node;
    if (IsOp("-") || IsOp("+")) {
      bool minus = IsOp("-");
      size_t begin = Next().offset;
      node = Make(minus ? Expr::Kind::kNegate : Expr::Kind::kPlus, begin);
      node->operands.push_back(UnaryWith(false));
      Finish(*node);
    } else {
      node = Primary();
    }
    node = Postfix(std::move(node));
    return with_filters ? FiltersAndTests(std::move(node)) : std::move(node);
  }

  ExprPtr Literal(Value value, size_t begin) {
    auto e = Make(Expr::Kind::kLiteral, begin);
    e->value = std::move(value);
    return e;
  }

  ExprPtr Primary() {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kName: {
        if (IsKeyword(t.text)) Unexpected(t, "an expression");
        Next();
        if (t.text == "true" || t.text == "True") return Literal(true, t.offset);
        if (t.text == "false" || t.text == "False") return Literal(false, t.offset);
        if (t.text == "none" || t.text == "None") return Literal(nullptr, t.offset);
        auto e = Make(Expr::Kind::kName, t.offset);
        e->name = std::string(t.text);
        return e;
      }
      case TokenKind::kString: {
        std::string value = Next().string_value;
        while (Peek().kind == TokenKind::kString) value += Next().string_value;  // 'a' 'b'
        return Literal(std::move(value), t.offset);
      }
      case TokenKind::kInteger:
        Next();
        return Literal(t.int_value, t.offset);
      case TokenKind::kFloat:
        Next();
        return Literal(t.float_value, t.offset);
      default:
        break;
    }
    if (IsOp("(")) {
      size_t begin = Next().offset;
      if (SkipOp(")")) {
        auto empty = Sequence(Expr::Kind::kList, begin, {});
        empty->tuple = true;
        return empty;
      }
      ExprPtr first = Expression();
      if (!IsOp(",")) {
        ExpectOp(")");
        return first;
      }
      // A tuple; a list is the closest thing in our values.
      std::vector<ExprPtr> items;
      items.push_back(std::move(first));
      while (SkipOp(",") && !IsOp(")")) items.push_back(Expression());
      ExpectOp(")");
      auto tuple = Sequence(Expr::Kind::kList, begin, std::move(items));
      tuple->tuple = true;
      return tuple;
    }
    if (IsOp("[")) {
      size_t begin = Next().offset;
      std::vector<ExprPtr> items;
      while (!IsOp("]")) {
        items.push_back(Expression());
        if (!SkipOp(",")) break;
      }
      if (!IsOp("]")) Unexpected(Peek(), "',' or ']'");
      Next();
      return Sequence(Expr::Kind::kList, begin, std::move(items));
    }
    if (IsOp("{")) {
      size_t begin = Next().offset;
      std::vector<ExprPtr> items;
      while (!IsOp("}")) {
        items.push_back(Expression());
        ExpectOp(":");
        items.push_back(Expression());
        if (!SkipOp(",")) break;
      }
      if (!IsOp("}")) Unexpected(Peek(), "',' or '}'");
      Next();
      return Sequence(Expr::Kind::kDict, begin, std::move(items));
    }
    Unexpected(t, "an expression");
  }

  ExprPtr Sequence(Expr::Kind kind, size_t begin, std::vector<ExprPtr> items) {
    auto e = Make(kind, begin);
    e->operands = std::move(items);
    return e;
  }

  ExprPtr Postfix(ExprPtr node) {
    while (true) {
      if (IsOp(".")) {
        Next();
        const Token& t = Peek();
        if (t.kind == TokenKind::kName) {
          Next();
          auto e = Make(Expr::Kind::kAttr, std::move(node));
          e->name = std::string(t.text);
          node = std::move(e);
        } else if (t.kind == TokenKind::kInteger) {
          Next();  // a.0 is a[0]
          auto e = Make(Expr::Kind::kIndex, std::move(node));
          e->operands.push_back(Literal(t.int_value, t.offset));
          Finish(*e);
          node = std::move(e);
        } else {
          Unexpected(t, "an attribute name");
        }
      } else if (IsOp("[")) {
        Next();
        node = Subscript(std::move(node));
      } else if (IsOp("(")) {
        node = Call(std::move(node));
      } else {
        return node;
      }
    }
  }

  ExprPtr OptionalExpression(std::initializer_list<std::string_view> terminators) {
    for (auto t : terminators) {
      if (IsOp(t)) return nullptr;
    }
    return Expression();
  }

  ExprPtr Subscript(ExprPtr base) {
    ExprPtr start = OptionalExpression({":"});
    if (!IsOp(":")) {
      if (!start) Unexpected(Peek(), "an index");
      ExpectOp("]");
      auto e = Make(Expr::Kind::kIndex, std::move(base));
      e->operands.push_back(std::move(start));
      return e;
    }
    Next();
    ExprPtr stop = OptionalExpression({":", "]"});
    ExprPtr step;
    if (SkipOp(":")) step = OptionalExpression({"]"});
    ExpectOp("]");
    auto e = Make(Expr::Kind::kSlice, std::move(base));
    e->operands.push_back(std::move(start));
    e->operands.push_back(std::move(stop));
    e->operands.push_back(std::move(step));
    return e;
  }

  CallArgs Arguments() {
    ExpectOp("(");
    CallArgs args;
    while (!IsOp(")")) {
      if (Peek().kind == TokenKind::kName && IsOp("=", 1)) {
        std::string name(Next().text);
        Next();
        args.keyword.emplace_back(std::move(name), Expression());
      } else {
        if (!args.keyword.empty()) {
          throw SyntaxError(src_, Peek().offset, "positional argument follows keyword argument");
        }
        args.positional.push_back(Expression());
      }
      if (!SkipOp(",")) break;
    }
    if (!IsOp(")")) Unexpected(Peek(), "',' or ')'");
    Next();
    return args;
  }

  ExprPtr Call(ExprPtr callee) {
    if (callee->kind == Expr::Kind::kAttr) {
      callee->kind = Expr::Kind::kMethod;  // a.b(...) calls method b on a
      callee->args = Arguments();
      Finish(*callee);
      return callee;
    }
    if (callee->kind == Expr::Kind::kName) {
      if (!IsKnownFunction(callee->name)) {
        throw SyntaxError(src_, callee->begin, "unknown function '" + callee->name + "'");
      }
      callee->kind = Expr::Kind::kFunction;
      callee->args = Arguments();
      Finish(*callee);
      return callee;
    }
    throw SyntaxError(src_, Peek().offset,
                      "'" + std::string(src_.substr(callee->begin, callee->end - callee->begin)) +
                          "' is not callable");
  }

  // A filter name, optionally qualified as ansible.builtin.<name>.
  std::pair<std::string, size_t> FilterName() {
    const Token& t = Peek();
    if (t.kind != TokenKind::kName) Unexpected(t, "a filter name");
    Next();
    std::string name(t.text);
    while (IsOp(".") && Peek(1).kind == TokenKind::kName) {
      Next();
      name += "." + std::string(Next().text);
    }
    constexpr std::string_view kBuiltin = "ansible.builtin.";
    if (name.starts_with(kBuiltin)) name.erase(0, kBuiltin.size());
    return {name, t.offset};
  }

  ExprPtr FiltersAndTests(ExprPtr node) {
    while (true) {
      if (SkipOp("|")) {
        auto [name, offset] = FilterName();
        auto index = FindFilter(name);
        if (!index) {
          throw SyntaxError(src_, offset,
                            "unknown filter '" + name + "'" + DidYouMean(name, FilterNames()));
        }
        auto e = Make(Expr::Kind::kFilter, std::move(node));
        e->name = std::move(name);
        e->builtin = *index;
        if (IsOp("(")) e->args = Arguments();
        Finish(*e);
        node = std::move(e);
      } else if (IsName("is")) {
        Next();
        bool negated = SkipName("not");
        const Token& t = Peek();
        if (t.kind != TokenKind::kName) Unexpected(t, "a test name");
        Next();
        auto index = FindTest(t.text);
        if (!index) {
          std::string name(t.text);
          throw SyntaxError(src_, t.offset,
                            "unknown test '" + name + "'" + DidYouMean(name, TestNames()));
        }
        auto e = Make(Expr::Kind::kTest, std::move(node));
        e->name = std::string(t.text);
        e->builtin = *index;
        e->negated = negated;
        if (IsOp("(")) {
          e->args = Arguments();
        } else if (StartsTestArgument()) {
          // Jinja's one-argument form without parentheses: `n is divisibleby 3`.
          e->args.positional.push_back(Postfix(Primary()));
        }
        std::vector<std::string> keywords;
        for (const auto& [name, unused] : e->args.keyword) keywords.push_back(name);
        std::string problem = CheckTestArity(TestAt(*index), e->args.positional.size(), keywords);
        if (!problem.empty()) throw SyntaxError(src_, t.offset, problem);
        Finish(*e);
        node = std::move(e);
      } else {
        return node;
      }
    }
  }

  // As Jinja: a name (but not else/or/and), a literal, or a list or dict
  // display after a test name is its one argument.
  bool StartsTestArgument() const {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kName:
        return t.text != "else" && t.text != "or" && t.text != "and";
      case TokenKind::kString:
      case TokenKind::kInteger:
      case TokenKind::kFloat:
        return true;
      case TokenKind::kOperator:
        return t.text == "[" || t.text == "{";
      default:
        return false;
    }
  }

  std::string_view src_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  size_t last_end_ = 0;
  int depth_ = 0;
};

}  // namespace

Template ParseTemplate(std::string_view source) {
  Template t;
  t.source = std::string(source);
  Parser parser(t.source, LexTemplate(t.source));
  t.nodes = parser.Body({}, nullptr);
  return t;
}

Template ParseExpression(std::string_view source) {
  Template t;
  t.source = std::string(source);
  Parser parser(t.source, LexExpression(t.source));
  t.expression = parser.BareExpression();
  return t;
}

}  // namespace deployctl::template_internal
