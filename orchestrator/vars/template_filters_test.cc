#include "orchestrator/vars/template_filters.h"

#include <catch2/catch.hpp>

#include "orchestrator/vars/template.h"

using deployctl::RenderString;
using deployctl::RenderTemplateText;
using deployctl::Value;

namespace {

const Value kVars = {
    {"a", 1},
    {"n", nullptr},
    {"s", "Hello World"},
    {"l", {3, 1, 2}},
    {"words", {"b", "A", "c"}},
    {"d", {{"a", 1}, {"b", {1, 2}}}},
    {"host", {{"name", "web1"}, {"port", 8080}}},
    {"path", "/srv/app/v1.tar.gz"},
    {"users",
     {{{"name", "alice"}, {"age", 30}, {"admin", true}},
      {{"name", "bob"}, {"age", 25}, {"admin", false}},
      {{"name", "carol"}, {"age", 35}, {"admin", true}}}},
};

std::string R(std::string_view text, const Value& vars = kVars) {
  return RenderTemplateText(text, vars);
}

}  // namespace

TEST_CASE("string filters", "[vars][filters]") {
  CHECK(R("{{ s | upper }} {{ s | lower }} {{ 'hELLO wORLD' | capitalize }}") ==
        "HELLO WORLD hello world Hello world");
  CHECK(R("{{ \"it's a-b (c)\" | title }} {{ 'straße' | upper }}") == "It's A-B (C) STRASSE");
  CHECK(R("[{{ '  x  ' | trim }}] {{ 'xxhixx' | trim('x') }}") == "[x] hi");
  CHECK(R("{{ s | replace('o', '0') }} {{ s | replace('o', '0', 1) }} {{ 'ab' | replace('', '-') "
          "}}") == "Hell0 W0rld Hell0 World -a-b-");
  CHECK(R("{{ path | basename }} {{ path | dirname }} {{ '/x' | dirname }}") ==
        "v1.tar.gz /srv/app /");
  CHECK(R("{{ 'a b' | quote }} {{ 'abc' | quote }} {{ '' | quote }} {{ \"it's\" | quote }}") ==
        "'a b' abc '' 'it'\"'\"'s'");
  CHECK(R("{{ 'hello!' | b64encode }} {{ 'aGVsbG8h' | b64decode }}") == "aGVsbG8h hello!");
  CHECK(R("{{ ' a  b ' | split }} {{ 'a,b,,c' | split(',') }} {{ 'a,b,c' | split(',', 1) }}") ==
        "['a', 'b'] ['a', 'b', '', 'c'] ['a', 'b,c']");
  CHECK(
      R("{{ words | join(', ') }} {{ l | join('-') }} {{ users | join(',', attribute='name') }}") ==
      "b, A, c 3-1-2 alice,bob,carol");
  CHECK(R("{{ 'a\nb' | indent(2) }}|{{ 'a\nb' | indent(2, true) }}") == "a\n  b|  a\n  b");
}

TEST_CASE("truncate follows Jinja, leeway included", "[vars][filters]") {
  CHECK(R("{{ s | truncate(8) }}") == "Hello World");  // within the leeway of 5
  CHECK(R("{{ 'a very long sentence indeed' | truncate(10) }}") == "a very...");
  CHECK(R("{{ 'a very long sentence indeed' | truncate(10, true) }}") == "a very ...");
  CHECK(R("{{ 'a very long sentence indeed' | truncate(10, true, '~') }}") == "a very lo~");
  CHECK(R("{{ 'a very long sentence indeed' | truncate(20, leeway=0) }}") == "a very long...");
  CHECK(R("{{ 'Grüße aus Köln am Rhein' | truncate(8, true, '', 0) }}") == "Grüße au");
  CHECK_THROWS_WITH(R("{{ s | truncate(2, leeway=0) }}"),
                    "expected length >= 3, got 2 (in filter 'truncate')");
}

TEST_CASE("format filter and % formatting", "[vars][filters][format]") {
  CHECK(R("{{ '%s-%s' | format('a', 1) }} {{ '%05d' | format(42) }} {{ '%.2f' | format(3.14159) "
          "}}") == "a-1 00042 3.14");
  CHECK(R("{{ '%s' | format(l) }} {{ '%(a)s+%(b)s' | format(a=1, b=2) }}") == "[3, 1, 2] 1+2");
  CHECK_THROWS_WITH(R("{{ '%s %s' | format(1) }}"),
                    "not enough arguments for format string (in filter 'format')");
  CHECK_THROWS_WITH(R("{{ '%s' | format(1, a=2) }}"),
                    "can't handle positional and keyword arguments at the same time (in filter "
                    "'format')");
}

TEST_CASE("bug: '%' string formatting was refused", "[vars][filters][format][bugs]") {
  CHECK(
      R("{{ '%s-%d' % ('a', 3) }} {{ '%.3f' % 2.0 }} {{ '%03d' % 7 }} {{ '%+d %+d' % (5, -5) }}") ==
      "a-3 2.000 007 +5 -5");
  CHECK(R("[{{ '%5s|%-5s' % ('ab', 'cd') }}] {{ '%x %X %o %#x %#o' % (255, 255, 8, 255, 8) }}") ==
        "[   ab|cd   ] ff FF 10 0xff 0o10");
  CHECK(R("{{ '%r' % 'x' }} {{ '100%%' % () }} {{ '%(name)s:%(port)d' % host }} {{ '%s' % l }}") ==
        "'x' 100% web1:8080 [3, 1, 2]");
  CHECK(R("{{ '%d' % 3.9 }} {{ '%d' % true }} {{ '%e' % 12345.678 }} {{ '%g %g' % (0.0001, "
          "1234567.0) }}") == "3 1 1.234568e+04 0.0001 1.23457e+06");
  CHECK(R("[{{ '%*d' % (5, 42) }}] {{ '%c%c' % (65, 'b') }} [{{ '%-7s|' % 'Grüße' }}]") ==
        "[   42] Ab [Grüße  |]");
  CHECK_THROWS_WITH(R("{{ '%s %s' % ('a',) }}"), "not enough arguments for format string");
  CHECK_THROWS_WITH(R("{{ '%s' % ('a', 'b') }}"),
                    "not all arguments converted during string formatting");
  CHECK_THROWS_WITH(R("{{ '%d' % 'x' }}"), "%d format: a real number is required, not str");
  CHECK_THROWS_WITH(R("{{ '%y' % 1 }}"), "unsupported format character 'y' (0x79) at index 1");
  CHECK_THROWS_WITH(R("{{ '%(nope)s' % host }}"), "KeyError: 'nope'");
  CHECK_THROWS_WITH(R("{{ '%' % 1 }}"), "incomplete format");
}

TEST_CASE("number filters", "[vars][filters]") {
  CHECK(R("{{ '42' | int + 1 }} {{ '3.75' | int }} {{ 'abc' | int }} {{ 'abc' | int(7) }}") ==
        "43 3 0 7");
  CHECK(R("{{ 'ff' | int(base=16) }} {{ -3.99 | int }} {{ n | int }} {{ '3.75' | float }}") ==
        "255 -3 0 3.75");
  CHECK(R("{{ 2.5 | round }} {{ 3.5 | round }} {{ 3.14159 | round(2) }} {{ 3.14159 | round(1, "
          "'ceil') }}") == "2.0 4.0 3.14 3.2");
  CHECK(R("{{ -7 | abs }} {{ 'yes' | bool }} {{ 'off' | bool }} {{ 1 | bool }} {{ n | bool }}") ==
        "7 True False True None");
  CHECK(R("{{ l | sum }} {{ l | sum(start=10) }} {{ users | sum(attribute='age') }}") == "6 16 90");
  CHECK_THROWS_WITH(R("{{ 'x' | abs }}"), "bad operand type for abs(): 'str' (in filter 'abs')");
}

TEST_CASE("list filters", "[vars][filters]") {
  CHECK(R("{{ l | first }} {{ l | last }} {{ l | min }} {{ l | max }} {{ l | length }}") ==
        "3 2 1 3 3");
  CHECK(R("{{ [] | first | default('none') }}") == "none");
  CHECK(R("{{ l | sort }} {{ l | sort(reverse=true) }} {{ words | sort }} {{ words | max }}") ==
        "[1, 2, 3] [3, 2, 1] ['A', 'b', 'c'] c");
  CHECK(R("{{ users | sort(attribute='age') | map(attribute='name') | join(',') }}") ==
        "bob,alice,carol");
  CHECK(
      R("{{ [1, 2, 1, 3] | unique }} {{ l | reverse | list }} {{ 'abc' | list }} {{ d | list }}") ==
      "[1, 2, 3] [2, 1, 3] ['a', 'b', 'c'] ['a', 'b']");
  CHECK(R("{{ ['1', '2'] | map('int') | list }} {{ words | map('regex_replace', '^', 'x') | list "
          "}}") == "[1, 2] ['xb', 'xA', 'xc']");
  CHECK(R("{{ users | map(attribute='email', default='-') | list }}") == "['-', '-', '-']");
  CHECK(R("{{ [1, 2] | union([2, 3]) }} {{ [1, 2, 3] | intersect([2, 3, 4]) }}") ==
        "[1, 2, 3] [2, 3]");
  CHECK(R("{{ [1, 2, 3] | difference([2]) }} {{ [1, 2, 3] | symmetric_difference([2, 4]) }}") ==
        "[1, 3] [1, 3, 4]");
  CHECK_THROWS_WITH(R("{{ [] | first }}"),
                    "undefined variable '[] | first': No first item, sequence was empty.");
  CHECK_THROWS_WITH(R("{{ [1, 'a'] | sort }}"),
                    "'<' not supported between instances of 'str' and 'int' (in filter 'sort')");
}

TEST_CASE("select, reject, selectattr, rejectattr run tests on items", "[vars][filters][select]") {
  CHECK(R("{{ l | select('odd') | list }} {{ l | select('gt', 1) | list }} {{ l | reject('odd') | "
          "list }}") == "[3, 1] [3, 2] [2]");
  CHECK(R("{{ [0, 1, '', 'a', none] | select | list }} {{ [0, 1, '', 'a'] | reject | list }}") ==
        "[1, 'a'] [0, '']");
  CHECK(
      R("{{ [1, 'a', none] | select('string') | list }} {{ [1, none] | reject('none') | list }}") ==
      "['a'] [1]");
  CHECK(R("{{ users | selectattr('admin') | map(attribute='name') | list }}") ==
        "['alice', 'carol']");
  CHECK(R("{{ users | selectattr('age', 'gt', 28) | map(attribute='name') | join(',') }}") ==
        "alice,carol");
  CHECK(R("{{ users | selectattr('name', 'equalto', 'bob') | map(attribute='age') | first }}") ==
        "25");
  CHECK(R("{{ users | selectattr('email', 'defined') | list }} "
          "{{ users | selectattr('email', 'undefined') | list | length }}") == "[] 3");
  CHECK(R("{{ users | rejectattr('admin') | map(attribute='name') | list }}") == "['bob']");
  CHECK(R("{{ users | selectattr('name', 'match', '^[ab]') | map(attribute='name') | list }}") ==
        "['alice', 'bob']");
  CHECK_THROWS_WITH(R("{{ users | selectattr('email') | list }}"),
                    "'dict object' has no attribute 'email' (in filter 'selectattr')");
  CHECK_THROWS_WITH(R("{{ l | select('bogus') | list }}"),
                    "no test named 'bogus' (in filter 'select')");
}

TEST_CASE("flatten follows Ansible without recursing", "[vars][filters]") {
  CHECK(R("{{ [1, [2, [3, [4]]]] | flatten }} {{ [1, [2, [3, [4]]]] | flatten(1) }}") ==
        "[1, 2, 3, 4] [1, 2, [3, [4]]]");
  CHECK(R("{{ [1, none, [2, 'None', 'null']] | flatten }} {{ [1, none] | flatten(skip_nulls=false) "
          "}}") == "[1, 2] [1, None]");
  // Deep nesting: fine with an explicit stack.
  Value deep = Value::array({1});
  for (int i = 0; i < 2000; ++i) deep = Value::array({std::move(deep)});
  CHECK(RenderString("{{ deep | flatten }}", {{"deep", deep}}) == Value::array({1}));
  CHECK_THROWS_WITH(R("{{ 'abc' | flatten }}"),
                    "flatten expects a list, got str (in filter 'flatten')");
}

TEST_CASE("zip and zip_longest give tuples", "[vars][filters]") {
  CHECK(R("{{ [1, 2] | zip(['a', 'b']) | list }}") == "[(1, 'a'), (2, 'b')]");
  CHECK(R("{{ [1, 2, 3] | zip(['a', 'b'], [true, false]) | list }}") ==
        "[(1, 'a', True), (2, 'b', False)]");
  CHECK(R("{{ [1, 2, 3] | zip_longest(['a'], fillvalue='-') | list }}") ==
        "[(1, 'a'), (2, '-'), (3, '-')]");
  CHECK(R("{% for x, y in l | zip(words) %}{{ x }}={{ y }};{% endfor %}") == "3=b;1=A;2=c;");
  CHECK(R("{{ l | zip(words) | first }}") == "(3, 'b')");
}

TEST_CASE("dict filters", "[vars][filters][dicts]") {
  CHECK(R("{{ d | dict2items }}") == "[{'key': 'a', 'value': 1}, {'key': 'b', 'value': [1, 2]}]");
  CHECK(R("{{ host | dict2items(key_name='k', value_name='v') }}") ==
        "[{'k': 'name', 'v': 'web1'}, {'k': 'port', 'v': 8080}]");
  CHECK(R("{{ [{'key': 'a', 'value': 1}] | items2dict }} {{ host | dict2items | items2dict }}") ==
        "{'a': 1} {'name': 'web1', 'port': 8080}");
  CHECK(R("{% for k, v in d | dictsort %}{{ k }}={{ v }};{% endfor %}") == "a=1;b=[1, 2];");
  CHECK(R("{{ d | dictsort(reverse=true) }}") == "[('b', [1, 2]), ('a', 1)]");
  CHECK_THROWS_WITH(R("{{ l | dict2items }}"),
                    "dict2items requires a dictionary, got list instead. (in filter 'dict2items')");
  CHECK_THROWS_WITH(R("{{ [{'key': 'a'}] | items2dict }}"),
                    "items2dict requires each item to have 'key' and 'value' keys, got "
                    "{'key': 'a'} (in filter 'items2dict')");
}

TEST_CASE("combine merges like Ansible", "[vars][filters][dicts]") {
  CHECK(R("{{ host | combine({'port': 9090}) }}") == "{'name': 'web1', 'port': 9090}");
  CHECK(R("{{ {'a': {'x': 1, 'y': 2}} | combine({'a': {'y': 3}}) }}") == "{'a': {'y': 3}}");
  CHECK(R("{{ {'a': {'x': 1, 'y': 2}} | combine({'a': {'y': 3}}, recursive=true) }}") ==
        "{'a': {'x': 1, 'y': 3}}");
  CHECK(R("{{ {'a': 1} | combine([{'a': 2}, {'b': 3}]) }}") == "{'a': 2, 'b': 3}");
  CHECK(R("{{ {'a': [1, 2]} | combine({'a': [2, 3]}, list_merge='append') }}") ==
        "{'a': [1, 2, 2, 3]}");
  CHECK(R("{{ {'a': [1, 2]} | combine({'a': [2, 3]}, list_merge='append_rp') }}") ==
        "{'a': [1, 2, 3]}");
  CHECK(R("{{ {'a': [1, 2]} | combine({'a': [2, 3]}, list_merge='prepend') }}") ==
        "{'a': [2, 3, 1, 2]}");
  CHECK(R("{{ {'a': [1]} | combine({'a': [2]}, list_merge='keep') }}") == "{'a': [1]}");
  CHECK_THROWS_WITH(R("{{ {'a': 1} | combine(5) }}"),
                    "failed to combine variables, expected dicts but got a 'int' (in filter "
                    "'combine')");
  CHECK_THROWS_WITH(R("{{ {'a': 1} | combine({}, bogus=1) }}"),
                    "'recursive' and 'list_merge' are the only valid keyword arguments (in "
                    "filter 'combine')");
}

TEST_CASE("bug: combine with several dicts took the second one for recursive=",
          "[vars][filters][dicts][bugs]") {
  CHECK(R("{{ {'a': 1} | combine({'a': 2}, {'a': 3, 'b': 4}) }}") == "{'a': 3, 'b': 4}");
  CHECK(R("{{ {'a': {'x': 1}} | combine({'a': {'y': 2}}, {'b': 1}) }}") ==
        "{'a': {'y': 2}, 'b': 1}");
}

TEST_CASE("regular expression filters", "[vars][filters][regex]") {
  CHECK(R("{{ s | regex_replace('o', '0') }} {{ 'host-01' | regex_replace('^(\\w+)-(\\d+)$', "
          "'\\\\2-\\\\1') }}") == "Hell0 W0rld 01-host");
  CHECK(R("{{ s | regex_replace('hello', 'Bye', ignorecase=true) }} {{ 'ABC' | "
          "regex_replace('(?i)b', 'x') }}") == "Bye World AxC");
  CHECK(R("{{ s | regex_search('o.') }} {{ s | regex_search('xyz') }}") == "o  None");
  CHECK(R("{{ 'v1.22' | regex_search('v(\\d+)\\.(\\d+)', '\\\\2', '\\\\1') }}") == "['22', '1']");
  CHECK(R("{{ 'port=80' | regex_search('port=(?P<p>\\d+)', '\\\\g<p>') }}") == "['80']");
  CHECK(R("{{ s | regex_search('WORLD', ignorecase=true) }}") == "World");
  CHECK(R("{{ s | regex_findall('o.') }} {{ 'a=1 b=2' | regex_findall('(\\w)=(\\d)') }}") ==
        "['o ', 'or'] [('a', '1'), ('b', '2')]");
  CHECK(R("{{ 'a=1 b=2' | regex_findall('\\w=(\\d)') }} {{ s | regex_findall('q') }}") ==
        "['1', '2'] []");
  CHECK(R("{{ 'a.b*c' | regex_escape }}") == "a\\.b\\*c");
  CHECK_THROWS_WITH(R("{{ s | regex_search('o', 'x') }}"),
                    "Unknown argument (in filter 'regex_search')");
}

TEST_CASE("regular expressions refuse inputs that could exhaust the stack",
          "[vars][filters][regex]") {
  // bug: `(a|b)*` on 20000 characters overflowed the stack (SIGSEGV).
  Value vars = {{"big", std::string(20000, 'a')}};
  CHECK_THROWS_WITH(R("{{ big | regex_replace('(a|b)*', 'x') }}", vars),
                    "regular expressions are limited to inputs of 4096 bytes (got 20000) (in "
                    "filter 'regex_replace')");
  CHECK_THROWS_AS(R("{{ big | regex_search('a') }}", vars), deployctl::TemplateError);
  CHECK_THROWS_AS(R("{{ big is match('a') }}", vars), deployctl::TemplateError);
  CHECK(R("{{ big[:4096] | regex_replace('((a|b)|(c|d))*', 'x') }}", vars) == "xx");
}

TEST_CASE("JSON filters write what Python's json.dumps writes", "[vars][filters][json]") {
  CHECK(R("{{ d | to_json }} {{ 'a\"b' | to_json }} {{ 'Ωé' | to_json }}") ==
        "{\"a\": 1, \"b\": [1, 2]} \"a\\\"b\" \"\\u03a9\\u00e9\"");
  CHECK(R("{{ [none, true, 1.5] | to_json }}") == "[null, true, 1.5]");
  CHECK(R("{{ host | to_nice_json(indent=2) }}") ==
        "{\n  \"name\": \"web1\",\n  \"port\": 8080\n}");
  CHECK(R("{{ {'a': [], 'b': {}} | to_nice_json }}") == "{\n    \"a\": [],\n    \"b\": {}\n}");
  CHECK(R("{{ ('{\"a\": [1, 2]}' | from_json).a }}") == "[1, 2]");
  CHECK_THROWS_AS(R("{{ '{bad' | from_json }}"), deployctl::TemplateError);
  CHECK_THROWS_WITH(R("{{ d | to_yaml }}"),
                    "YAML output (to_yaml, to_nice_yaml) is not supported; use to_json or "
                    "to_nice_json, whose output is valid YAML (in filter 'to_yaml')");
}

TEST_CASE("hash filters", "[vars][filters][hash]") {
  CHECK(R("{{ 'abc' | hash }}") == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(R("{{ 'abc' | hash('md5') }} {{ 'abc' | md5 }}") ==
        "900150983cd24fb0d6963f7d28e17f72 900150983cd24fb0d6963f7d28e17f72");
  CHECK(R("{{ 'abc' | hash('sha256') }}") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(R("{{ 'abc' | sha1 }} {{ 'abc' | checksum }}") ==
        "a9993e364706816aba3e25717850c26c9cd0d89d a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK_THROWS_WITH(R("{{ 'abc' | hash('nope') }}"),
                    "hash: unsupported hash type nope (in filter 'hash')");
}

TEST_CASE("filter argument errors name the filter", "[vars][filters][errors]") {
  CHECK_THROWS_WITH(R("{{ s | upper(1) }}"), "filter 'upper' takes at most 0 argument(s), 1 given");
  CHECK_THROWS_WITH(R("{{ s | replace('a', 'b', nope=1) }}"),
                    "filter 'replace' got an unexpected keyword argument 'nope'");
  CHECK_THROWS_WITH(R("{{ s | replace('a') }}"),
                    "filter 'replace' missing required argument 'new'");
  CHECK_THROWS_WITH(R("{{ 5 | basename }}"),
                    "expected str, bytes or os.PathLike object, not int (in filter 'basename')");
  CHECK_THROWS_WITH(R("{{ 5 | length }}"),
                    "object of type 'int' has no len() (in filter 'length')");
  CHECK_THROWS_WITH(R("{{ 5 | join(',') }}"), "'int' object is not iterable (in filter 'join')");
}

TEST_CASE("bug: unique compared strings case-sensitively, ansible-core 2.14 does not",
          "[vars][filters][bugs]") {
  CHECK(R("{{ ['a', 'A', 'a', 'b'] | unique }}") == "['a', 'b']");
  CHECK(R("{{ ['a', 'A', 'a'] | unique(case_sensitive=true) }}") == "['a', 'A']");
  CHECK(R("{{ users | unique(attribute='admin') | map(attribute='name') | list }}") ==
        "['alice', 'bob']");
}
