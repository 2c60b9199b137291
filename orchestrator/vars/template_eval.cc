#include "orchestrator/vars/template_eval.h"

#include <algorithm>
#include <deque>

#include "orchestrator/vars/template.h"
#include "orchestrator/vars/template_filters.h"
#include "orchestrator/vars/template_format.h"
#include "orchestrator/vars/template_methods.h"
#include "orchestrator/vars/template_ops.h"
#include "orchestrator/vars/template_parser.h"
#include "orchestrator/vars/template_predicates.h"
#include "orchestrator/vars/template_strings.h"

namespace deployctl::template_internal {
namespace {

constexpr size_t kMaxNesting = 50;  // variables rendering variables

// Variables that refer to each other in a cycle. Not wrapped with "in
// variable ..." context: the message already lists the chain.
class RecursionError : public TemplateError {
 public:
  using TemplateError::TemplateError;
};

bool IsIdentifier(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// How a key extends a path: ".port", "[0]", "['server name']".
std::string PathSuffix(const Value& key) {
  if (key.is_string() && IsIdentifier(key.get_ref<const std::string&>())) {
    return "." + key.get<std::string>();
  }
  return "[" + PyRepr(key) + "]";
}

// Jinja's name for an object in "has no attribute" messages.
std::string ObjectName(const Value& v) {
  return v.is_null() ? "None" : std::string(PyTypeName(v)) + " object";
}

std::string Chain(const std::vector<std::string>& names, size_t from, const std::string& last) {
  std::string out;
  for (size_t i = from; i < names.size(); ++i) out += "'" + names[i] + "' -> ";
  return out + "'" + last + "'";
}

// Pushes a variable onto the rendering stack, refusing cycles.
class RenderingGuard {
 public:
  RenderingGuard(RenderContext& ctx, const std::string& path) : ctx_(ctx) {
    auto it = std::find(ctx.rendering.begin(), ctx.rendering.end(), path);
    if (it != ctx.rendering.end()) {
      throw RecursionError(
          "recursive loop detected in template: " +
          Chain(ctx.rendering, static_cast<size_t>(it - ctx.rendering.begin()), path));
    }
    if (ctx.rendering.size() >= kMaxNesting) {
      throw RecursionError("variables nested too deeply (more than " + std::to_string(kMaxNesting) +
                           " levels): " + Chain(ctx.rendering, 0, path));
    }
    ctx.rendering.push_back(path);
  }
  ~RenderingGuard() { ctx_.rendering.pop_back(); }
  RenderingGuard(const RenderingGuard&) = delete;
  RenderingGuard& operator=(const RenderingGuard&) = delete;

 private:
  RenderContext& ctx_;
};

Value RenderVariableText(const std::string& text, const std::string& path, RenderContext& ctx);

// An expression's value: borrowed when it can be, owned when computed, or
// undefined with a note of what was asked for and why it is missing.
struct Result {
  const Value* ref = nullptr;
  Value owned;
  bool raw = false;  // borrowed from vars: nested strings may be unrendered templates
  bool undefined = false;
  // Undefined that prints as "" (Jinja's plain Undefined), e.g. `x if c`
  // without else: `{{ '--force' if force }}` renders nothing.
  bool prints_empty = false;
  PyShape shape = PyShape::kPlain;  // tuple, dict view: how Python prints it
  std::string path;                 // the lookup, "app.db.port"; empty for computed values
  std::string reason;               // undefined: why, e.g. "'dict object' has no attribute 'port'"

  const Value& get() const { return ref != nullptr ? *ref : owned; }

  static Result Borrow(const Value& v, std::string path = {}, bool raw = false) {
    Result r;
    r.ref = &v;
    r.raw = raw;
    r.path = std::move(path);
    return r;
  }
  static Result Own(Value v, PyShape shape = PyShape::kPlain) {
    Result r;
    r.owned = std::move(v);
    r.shape = shape;
    return r;
  }
  static Result Undefined(std::string path, std::string reason) {
    Result r;
    r.undefined = true;
    r.path = std::move(path);
    r.reason = std::move(reason);
    return r;
  }
  // A lookup on an undefined value stays undefined; the reason still names
  // the first missing piece.
  static Result UndefinedFrom(const Result& base, std::string path) {
    std::string reason = base.reason;
    if (reason.empty() && !base.path.empty()) reason = "'" + base.path + "' is undefined";
    return Undefined(std::move(path), std::move(reason));
  }

  std::string UndefinedMessage() const {
    if (path.empty()) return reason;
    return "undefined variable '" + path + "'" + (reason.empty() ? "" : ": " + reason);
  }
};

class Evaluator {
 public:
  Evaluator(const Template& tmpl, RenderContext& ctx) : tmpl_(tmpl), ctx_(ctx) {}

  // A usable value: throws for undefined, renders templates nested in a
  // borrowed list or dict.
  const Value& Use(Result& r) {
    if (r.undefined) throw UndefinedVariableError(r.UndefinedMessage());
    if (r.raw) {
      const Value& v = r.get();
      if ((v.is_array() || v.is_object()) && ContainsTemplates(v)) {
        RenderingGuard guard(ctx_, r.path);
        r.owned = RenderRawTree(v, r.path);
        r.ref = nullptr;
      }
      r.raw = false;
    }
    return r.get();
  }

  Value Take(const Expr& e) { return Take(Eval(e)); }

  Value Take(Result r) {
    const Value& v = Use(r);
    return r.ref != nullptr ? v : std::move(r.owned);
  }

  Result Eval(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kLiteral:
        return Result::Borrow(e.value);
      case Expr::Kind::kName:
        return Name(e.name);
      case Expr::Kind::kAttr: {
        Result base = Eval(*e.operands[0]);
        return Lookup(std::move(base), *e.operands[0], Value(e.name));
      }
      case Expr::Kind::kIndex: {
        Result base = Eval(*e.operands[0]);
        Result key = Eval(*e.operands[1]);
        return Lookup(std::move(base), *e.operands[0], Use(key));
      }
      case Expr::Kind::kSlice:
        return Slice(e);
      case Expr::Kind::kList: {
        Value out = Value::array();
        for (const auto& item : e.operands) out.push_back(Take(*item));
        return Result::Own(std::move(out), e.tuple ? PyShape::kTuple : PyShape::kPlain);
      }
      case Expr::Kind::kDict: {
        Value out = Value::object();
        for (size_t i = 0; i + 1 < e.operands.size(); i += 2) {
          Value key = Take(*e.operands[i]);
          out[key.is_string() ? key.get<std::string>() : PyStr(key)] = Take(*e.operands[i + 1]);
        }
        return Result::Own(std::move(out));
      }
      case Expr::Kind::kNot: {
        Result r = Eval(*e.operands[0]);
        return Result::Own(!IsTruthy(Use(r)));
      }
      case Expr::Kind::kNegate: {
        Result r = Eval(*e.operands[0]);
        return Result::Own(Negate(Use(r)));
      }
      case Expr::Kind::kPlus: {
        Result r = Eval(*e.operands[0]);
        return Result::Own(UnaryPlus(Use(r)));
      }
      case Expr::Kind::kBinary: {
        Result a = Eval(*e.operands[0]);
        Result b = Eval(*e.operands[1]);
        const Value& left = Use(a);
        const Value& right = Use(b);
        if (e.binary_op == BinaryOp::kMod && left.is_string()) {
          // printf-style formatting; only a tuple gives several arguments.
          return Result::Own(PyPercentFormat(left.get_ref<const std::string&>(), right,
                                             b.shape == PyShape::kTuple));
        }
        if (e.binary_op == BinaryOp::kConcat) {
          std::string out = ShapedStr(left, a.shape);
          AppendShapedStr(out, right, b.shape);
          return Result::Own(std::move(out));
        }
        return Result::Own(Binary(e.binary_op, left, right));
      }
      case Expr::Kind::kCompare: {
        Result left = Eval(*e.operands[0]);
        for (size_t i = 0; i < e.compare_ops.size(); ++i) {
          Result right = Eval(*e.operands[i + 1]);
          if (!Compare(e.compare_ops[i], Use(left), Use(right))) return Result::Own(false);
          left = std::move(right);
        }
        return Result::Own(true);
      }
      case Expr::Kind::kAnd: {
        // Python's and/or return an operand, and short-circuit.
        Result left = Eval(*e.operands[0]);
        if (!IsTruthy(Use(left))) return left;
        return Eval(*e.operands[1]);
      }
      case Expr::Kind::kOr: {
        Result left = Eval(*e.operands[0]);
        if (IsTruthy(Use(left))) return left;
        return Eval(*e.operands[1]);
      }
      case Expr::Kind::kCondition: {
        Result cond = Eval(*e.operands[0]);
        if (IsTruthy(Use(cond))) return Eval(*e.operands[1]);
        if (e.operands[2]) return Eval(*e.operands[2]);
        Result none =
            Result::Undefined({}, "the inline if-expression '" + std::string(Source(e)) +
                                      "' evaluated to false and no else section was defined");
        none.prints_empty = true;
        return none;
      }
      case Expr::Kind::kFilter:
        return Filter(e);
      case Expr::Kind::kTest:
        return Test(e);
      case Expr::Kind::kMethod: {
        Result object = Eval(*e.operands[0]);
        const Value& target = Use(object);
        auto [args, keyword] = Arguments(e.args);
        PyShape shape = PyShape::kPlain;
        if (target.is_object()) {
          shape = e.name == "items"    ? PyShape::kDictItems
                  : e.name == "keys"   ? PyShape::kDictKeys
                  : e.name == "values" ? PyShape::kDictValues
                                       : PyShape::kPlain;
        }
        return Result::Own(CallMethod(target, e.name, args, keyword), shape);
      }
      case Expr::Kind::kFunction: {
        auto [args, keyword] = Arguments(e.args);
        return Result::Own(CallFunction(e.name, args, keyword));
      }
    }
    throw TemplateError("unsupported expression");
  }

  void Render(const std::vector<Node>& nodes, std::string& out) {
    for (const Node& node : nodes) {
      switch (node.kind) {
        case Node::Kind::kText: {
          std::string_view text(tmpl_.source.data() + node.text_begin, node.text_size);
          if (text.find('\r') == std::string_view::npos) {
            out += text;
          } else {
            AppendNormalizedNewlines(out, text);
          }
          break;
        }
        case Node::Kind::kOutput: {
          Result r = Eval(*node.expr);
          if (r.undefined && r.prints_empty) break;
          AppendShapedStr(out, Use(r), r.shape);
          break;
        }
        case Node::Kind::kIf:
          for (const Branch& branch : node.branches) {
            if (branch.condition) {
              Result r = Eval(*branch.condition);
              if (!IsTruthy(Use(r))) continue;
            }
            Render(branch.body, out);
            break;
          }
          break;
        case Node::Kind::kFor:
          For(node, out);
          break;
        case Node::Kind::kSet: {
          Result r = Eval(*node.expr);
          PyShape shape = r.shape;
          locals_.push_back(Local{node.targets[0], nullptr, Take(std::move(r)), shape});
          break;
        }
      }
    }
  }

 private:
  // A loop variable or {% set %}: borrowed (ref) or owned.
  struct Local {
    std::string name;
    const Value* ref = nullptr;
    Value owned;
    PyShape shape = PyShape::kPlain;
    const Value& get() const { return ref != nullptr ? *ref : owned; }
  };

  std::string_view Source(const Expr& e) const {
    return std::string_view(tmpl_.source).substr(e.begin, e.end - e.begin);
  }

  // The name of a lookup's base for messages: its path, or its source text.
  std::string PathOf(const Result& r, const Expr& e) const {
    if (!r.path.empty()) return r.path;
    switch (e.kind) {
      case Expr::Kind::kLiteral:
      case Expr::Kind::kName:
      case Expr::Kind::kAttr:
      case Expr::Kind::kIndex:
      case Expr::Kind::kSlice:
      case Expr::Kind::kList:
      case Expr::Kind::kDict:
      case Expr::Kind::kMethod:
      case Expr::Kind::kFunction:
        return std::string(Source(e));
      default:
        return "(" + std::string(Source(e)) + ")";
    }
  }

  Result Name(const std::string& name) {
    for (auto it = locals_.rbegin(); it != locals_.rend(); ++it) {
      if (it->name == name) {
        Result r = Result::Borrow(it->get(), name);
        r.shape = it->shape;
        return r;
      }
    }
    if (ctx_.vars.is_object()) {
      auto it = ctx_.vars.find(name);
      if (it != ctx_.vars.end()) return ResolveLazy(Result::Borrow(*it, name, true));
    }
    return Result::Undefined(name, {});
  }

  // `base.key` / `base[key]`, Jinja style: dict keys, list and string
  // indexes (negative from the end); anything else is undefined.
  Result Lookup(Result base, const Expr& base_expr, const Value& key) {
    std::string path = PathOf(base, base_expr) + PathSuffix(key);
    if (base.undefined) return Result::UndefinedFrom(base, std::move(path));
    const Value& v = base.get();
    if (v.is_object()) {
      const std::string name = key.is_string() ? key.get<std::string>() : PyStr(key);
      auto it = v.find(name);
      if (it != v.end()) return Child(base, *it, std::move(path));
    } else if ((v.is_array() || v.is_string()) && IsIntegral(key)) {
      int64_t index = AsInt(key);
      if (v.is_array()) {
        int64_t n = static_cast<int64_t>(v.size());
        if (index < 0) index += n;
        if (index >= 0 && index < n) return Child(base, v[static_cast<size_t>(index)], path);
      } else {
        auto chars = SplitCodePoints(v.get_ref<const std::string&>());
        int64_t n = static_cast<int64_t>(chars.size());
        if (index < 0) index += n;
        if (index >= 0 && index < n) {
          return Result::Own(std::string(chars[static_cast<size_t>(index)]));
        }
      }
    }
    std::string reason = "'" + ObjectName(v) + "' has no " +
                         (key.is_string() ? "attribute " : "element ") + PyRepr(key);
    return Result::Undefined(std::move(path), std::move(reason));
  }

  Result Child(const Result& base, const Value& child, std::string path) {
    if (base.ref == nullptr) {
      Result r = Result::Own(child);
      r.path = std::move(path);
      return r;
    }
    return ResolveLazy(Result::Borrow(child, std::move(path), base.raw));
  }

  // A variable's string that is a template is rendered when reached.
  Result ResolveLazy(Result r) {
    if (!r.raw || !r.get().is_string()) return r;
    const std::string& text = r.get().get_ref<const std::string&>();
    if (!HasTemplateMarkers(text)) return r;
    auto memo = ctx_.rendered.find(r.ref);
    if (memo != ctx_.rendered.end()) {
      Result done = Result::Borrow(memo->second, std::move(r.path));
      return done;
    }
    try {
      Value value = RenderVariableText(text, r.path, ctx_);
      auto [it, inserted] = ctx_.rendered.emplace(r.ref, std::move(value));
      return Result::Borrow(it->second, std::move(r.path));
    } catch (const UndefinedVariableError& e) {
      // As in Ansible: the variable itself is undefined, lazily.
      return Result::Undefined(std::move(r.path), e.what());
    }
  }

  // A copy of a borrowed list/dict with its template strings rendered.
  Value RenderRawTree(const Value& v, const std::string& path) {
    if (v.is_string()) {
      Result leaf = ResolveLazy(Result::Borrow(v, path, true));
      if (leaf.undefined) throw UndefinedVariableError(leaf.UndefinedMessage());
      return leaf.get();
    }
    if (v.is_array()) {
      Value out = Value::array();
      for (size_t i = 0; i < v.size(); ++i) {
        out.push_back(RenderRawTree(v[i], path + "[" + std::to_string(i) + "]"));
      }
      return out;
    }
    if (v.is_object()) {
      Value out = Value::object();
      for (const auto& [key, item] : v.items()) {
        out[key] = RenderRawTree(item, path + PathSuffix(Value(key)));
      }
      return out;
    }
    return v;
  }

  // Python slicing: a[1:], a[:-1], a[::-1].
  Result Slice(const Expr& e) {
    Result base = Eval(*e.operands[0]);
    const Value& v = Use(base);
    if (!v.is_array() && !v.is_string()) {
      throw TemplateError("'" + std::string(PyTypeName(v)) + "' object is not subscriptable");
    }
    std::optional<int64_t> bounds[3];
    for (int i = 0; i < 3; ++i) {
      if (!e.operands[static_cast<size_t>(i) + 1]) continue;
      Result r = Eval(*e.operands[static_cast<size_t>(i) + 1]);
      const Value& b = Use(r);
      if (b.is_null()) continue;
      if (!IsIntegral(b)) {
        throw TemplateError("slice indices must be integers or None, not " +
                            std::string(PyTypeName(b)));
      }
      bounds[i] = AsInt(b);
    }
    int64_t step = bounds[2].value_or(1);
    if (step == 0) throw TemplateError("slice step cannot be zero");
    std::vector<std::string_view> chars;
    if (v.is_string()) chars = SplitCodePoints(v.get_ref<const std::string&>());
    int64_t n = static_cast<int64_t>(v.is_string() ? chars.size() : v.size());
    auto adjust = [&](std::optional<int64_t> bound, int64_t fallback) {
      if (!bound) return fallback;
      int64_t i = *bound;
      if (i < 0) {
        i += n;
        if (i < 0) i = step < 0 ? -1 : 0;
      } else if (i >= n) {
        i = step < 0 ? n - 1 : n;
      }
      return i;
    };
    int64_t start = adjust(bounds[0], step < 0 ? n - 1 : 0);
    int64_t stop = adjust(bounds[1], step < 0 ? -1 : n);
    Value out = v.is_string() ? Value("") : Value::array();
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
      if (v.is_string()) {
        out.get_ref<std::string&>() += chars[static_cast<size_t>(i)];
      } else {
        out.push_back(v[static_cast<size_t>(i)]);
      }
    }
    return Result::Own(std::move(out));
  }

  std::pair<std::vector<Value>, KeywordArgs> Arguments(const CallArgs& args) {
    std::vector<Value> positional;
    for (const auto& arg : args.positional) positional.push_back(Take(*arg));
    KeywordArgs keyword;
    for (const auto& [name, arg] : args.keyword) keyword.emplace_back(name, Take(*arg));
    return {std::move(positional), std::move(keyword)};
  }

  // For `default` and `is defined`: a borrowed dict whose nested templates
  // refer to undefined variables counts as undefined, as in Ansible.
  bool IsDefined(Result& r) {
    if (r.undefined) return false;
    try {
      Use(r);
      return true;
    } catch (const UndefinedVariableError& e) {
      r = Result::Undefined(r.path, e.what());
      return false;
    }
  }

  Result Filter(const Expr& e) {
    const FilterSpec& spec = FilterAt(e.builtin);
    if (spec.name == "default" || spec.name == "d") {
      if (auto lazy = LazyDefault(e)) return std::move(*lazy);
    }
    Result input = Eval(*e.operands[0]);
    const Value* value = nullptr;
    if (!spec.accepts_undefined) {
      value = &Use(input);
    } else if (IsDefined(input)) {
      value = &input.get();
    }
    if (spec.name == "string" && value != nullptr && input.shape != PyShape::kPlain &&
        e.args.positional.empty() && e.args.keyword.empty()) {
      return Result::Own(ShapedStr(*value, input.shape));
    }
    std::string input_name = PathOf(input, *e.operands[0]);
    auto [args, keyword] = Arguments(e.args);
    std::optional<Value> out =
        ApplyFilter(spec, value, input_name, std::move(args), std::move(keyword));
    if (!out) return Result::Undefined(std::string(Source(e)), std::string(spec.undefined_reason));
    PyShape shape = FilterShape(spec.name, input.shape, *out);
    return Result::Own(std::move(*out), shape);
  }

  // How Python would print a filter's result: zip and dictsort give tuples,
  // and list-like filters keep the tuples of d.items() or zip.
  static PyShape FilterShape(std::string_view filter, PyShape input, const Value& out) {
    if (!out.is_array()) return PyShape::kPlain;
    if (filter == "zip" || filter == "zip_longest" || filter == "dictsort") {
      return PyShape::kTupleList;
    }
    if (filter == "regex_findall") {
      return !out.empty() && out[0].is_array() ? PyShape::kTupleList : PyShape::kPlain;
    }
    bool tuples = input == PyShape::kDictItems || input == PyShape::kTupleList;
    if (!tuples) return PyShape::kPlain;
    if (filter == "list" || filter == "sort" || filter == "reverse" || filter == "unique" ||
        filter == "select" || filter == "reject") {
      return PyShape::kTupleList;
    }
    if (filter == "first" || filter == "last" || filter == "min" || filter == "max") {
      return PyShape::kTuple;
    }
    return PyShape::kPlain;
  }

  // default(value='', boolean=false) evaluates `value` only when needed and
  // passes an undefined one on, so `a | default(b) | default(c)` works.
  std::optional<Result> LazyDefault(const Expr& e) {
    const Expr* value_expr = nullptr;
    const Expr* boolean_expr = nullptr;
    if (e.args.positional.size() > 2) return std::nullopt;  // let ApplyFilter report it
    if (!e.args.positional.empty()) value_expr = e.args.positional[0].get();
    if (e.args.positional.size() > 1) boolean_expr = e.args.positional[1].get();
    for (const auto& [name, arg] : e.args.keyword) {
      const Expr** slot = name == "value"     ? &value_expr
                          : name == "boolean" ? &boolean_expr
                                              : nullptr;
      if (slot == nullptr || *slot != nullptr) return std::nullopt;
      *slot = arg.get();
    }
    bool boolean = false;
    if (boolean_expr != nullptr) {
      Result b = Eval(*boolean_expr);
      boolean = IsTruthy(Use(b));
    }
    Result input = Eval(*e.operands[0]);
    if (IsDefined(input) && (!boolean || IsTruthy(input.get()))) return input;
    if (value_expr == nullptr) return Result::Own("");
    return Eval(*value_expr);
  }

  Result Test(const Expr& e) {
    const TestSpec& spec = TestAt(e.builtin);
    Result input = Eval(*e.operands[0]);
    const Value* value = nullptr;
    if (!spec.accepts_undefined) {
      value = &Use(input);
    } else if (IsDefined(input)) {
      value = &input.get();
    }
    auto [args, keyword] = Arguments(e.args);
    return Result::Own(RunTest(spec, value, std::move(args), keyword) != e.negated);
  }

  void Bind(const Node& node, const Value& item, PyShape shape = PyShape::kPlain) {
    if (node.targets.size() == 1) {
      locals_.push_back(Local{node.targets[0], &item, {}, shape});
      return;
    }
    if (!item.is_array()) {
      throw TemplateError("cannot unpack '" + std::string(PyTypeName(item)) + "' into " +
                          std::to_string(node.targets.size()) +
                          " loop variables (to loop over a dict's keys and values, use "
                          "dict.items())");
    }
    if (item.size() != node.targets.size()) {
      throw TemplateError(
          std::string(item.size() > node.targets.size() ? "too many" : "not enough") +
          " values to unpack (expected " + std::to_string(node.targets.size()) + ", got " +
          std::to_string(item.size()) + ")");
    }
    for (size_t i = 0; i < node.targets.size(); ++i) {
      locals_.push_back(Local{node.targets[i], &item[i], {}});
    }
  }

  void For(const Node& node, std::string& out) {
    Result seq_result = Eval(*node.expr);
    const Value& seq = Use(seq_result);
    PyShape item_shape =
        seq_result.shape == PyShape::kDictItems || seq_result.shape == PyShape::kTupleList
            ? PyShape::kTuple
            : PyShape::kPlain;
    std::vector<Value> storage;  // dict keys or characters, which are not values in `seq`
    std::vector<const Value*> items;
    if (seq.is_array()) {
      for (const auto& item : seq) items.push_back(&item);
    } else if (seq.is_object() || seq.is_string()) {
      if (seq.is_object()) {
        for (const auto& [key, unused] : seq.items()) storage.emplace_back(key);
      } else {
        for (auto cp : SplitCodePoints(seq.get_ref<const std::string&>())) {
          storage.emplace_back(std::string(cp));
        }
      }
      for (const auto& item : storage) items.push_back(&item);
    } else {
      throw TemplateError("'" + std::string(PyTypeName(seq)) + "' object is not iterable");
    }

    size_t mark = locals_.size();
    if (node.filter) {
      std::vector<const Value*> kept;
      for (const Value* item : items) {
        Bind(node, *item, item_shape);
        Result keep = Eval(*node.filter);
        bool truthy = IsTruthy(Use(keep));
        locals_.resize(mark);
        if (truthy) kept.push_back(item);
      }
      items = std::move(kept);
    }
    if (items.empty()) {
      Render(node.else_body, out);
      locals_.resize(mark);
      return;
    }
    int64_t length = static_cast<int64_t>(items.size());
    for (int64_t i = 0; i < length; ++i) {
      Bind(node, *items[static_cast<size_t>(i)], item_shape);
      Value loop = Value::object();
      loop["index"] = i + 1;
      loop["index0"] = i;
      loop["revindex"] = length - i;
      loop["revindex0"] = length - i - 1;
      loop["first"] = i == 0;
      loop["last"] = i == length - 1;
      loop["length"] = length;
      locals_.push_back(Local{"loop", nullptr, std::move(loop)});
      Render(node.body, out);
      locals_.resize(mark);  // {% set %} inside a loop stays inside it, as in Jinja
    }
  }

  const Template& tmpl_;
  RenderContext& ctx_;
  std::deque<Local> locals_;  // a deque: growing it must not move borrowed values
};

bool IsWhitespace(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// The one {{ expr }} of a template that has nothing else but whitespace.
const Node* SingleOutput(const Template& tmpl) {
  const Node* output = nullptr;
  for (const Node& node : tmpl.nodes) {
    if (node.kind == Node::Kind::kText &&
        IsWhitespace(std::string_view(tmpl.source).substr(node.text_begin, node.text_size))) {
      continue;
    }
    if (node.kind != Node::Kind::kOutput || output != nullptr) return nullptr;
    output = &node;
  }
  return output;
}

Value RenderVariableText(const std::string& text, const std::string& path, RenderContext& ctx) {
  RenderingGuard guard(ctx, path);
  try {
    Template tmpl = ParseTemplate(text);
    return RenderNative(tmpl, ctx);
  } catch (const UndefinedVariableError&) {
    throw;
  } catch (const RecursionError&) {
    throw;
  } catch (const TemplateError& e) {
    throw TemplateError(std::string(e.what()) + " (in variable '" + path + "')");
  }
}

}  // namespace

std::string RenderText(const Template& tmpl, RenderContext& ctx) {
  std::string out;
  Evaluator(tmpl, ctx).Render(tmpl.nodes, out);
  return out;
}

Value RenderNative(const Template& tmpl, RenderContext& ctx) {
  if (const Node* output = SingleOutput(tmpl)) return Evaluator(tmpl, ctx).Take(*output->expr);
  return RenderText(tmpl, ctx);
}

Value EvaluateParsed(const Template& expression, RenderContext& ctx) {
  return Evaluator(expression, ctx).Take(*expression.expression);
}

Value RenderNested(const Value& value, RenderContext& ctx) {
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (!HasTemplateMarkers(text)) return value;
    return RenderNative(ParseTemplate(text), ctx);
  }
  if (value.is_array()) {
    Value out = Value::array();
    for (const auto& item : value) out.push_back(RenderNested(item, ctx));
    return out;
  }
  if (value.is_object()) {
    Value out = Value::object();
    for (const auto& [key, item] : value.items()) out[key] = RenderNested(item, ctx);
    return out;
  }
  return value;
}

bool ContainsTemplates(const Value& value) {
  if (value.is_string()) return HasTemplateMarkers(value.get_ref<const std::string&>());
  if (value.is_array() || value.is_object()) {
    for (const auto& item : value) {
      if (ContainsTemplates(item)) return true;
    }
  }
  return false;
}

}  // namespace deployctl::template_internal
