#include "sim/graphql_document.hpp"

#include <cctype>
#include <stdexcept>

namespace shopsync::sim {

const gql_value* gql_selection::arg(std::string_view n) const {
  for (auto& [k, v] : args)
    if (k == n)
      return &v;
  return nullptr;
}

const gql_operation* gql_document::operation(std::string_view name) const {
  if (name.empty())
    return operations.size() == 1 ? &operations.front() : nullptr;
  for (auto& op : operations)
    if (op.name == name)
      return &op;
  return nullptr;
}

const gql_fragment* gql_document::fragment(std::string_view name) const {
  auto it = fragments.find(name);
  return it == fragments.end() ? nullptr : &it->second;
}

namespace {

struct syntax_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A recursive-descent reader over the GraphQL grammar's executable part (spec, "Document").
class reader {
public:
  explicit reader(std::string_view t) : s_(t) {}

  gql_document document() {
    gql_document doc;
    skip();
    while (p_ < s_.size()) {
      if (peek() == '{') {
        gql_operation op;
        op.selections = selection_set();
        doc.operations.push_back(std::move(op));
      } else {
        auto word = name();
        if (word == "fragment") {
          auto fname = name();
          if (name() != "on")
            fail("expected 'on' after fragment " + fname);
          gql_fragment f;
          f.type_condition = name();
          directives();
          f.selections = selection_set();
          doc.fragments[fname] = std::move(f);
        } else if (word == "query" || word == "mutation" || word == "subscription") {
          gql_operation op;
          op.type = word;
          if (is_name_start(peek()))
            op.name = name();
          if (peek() == '(')
            variable_definitions();
          directives();
          op.selections = selection_set();
          doc.operations.push_back(std::move(op));
        } else {
          fail("unexpected '" + word + "'");
        }
      }
      skip();
    }
    return doc;
  }

private:
  [[noreturn]] void fail(const std::string& what) {
    throw syntax_error(what + " at offset " + std::to_string(p_));
  }
  char peek() const { return p_ < s_.size() ? s_[p_] : '\0'; }
  static bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
  static bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

  // Whitespace, commas (insignificant in GraphQL), comments and a byte-order mark.
  void skip() {
    while (p_ < s_.size()) {
      char c = s_[p_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
        ++p_;
      } else if (c == '#') {
        while (p_ < s_.size() && s_[p_] != '\n' && s_[p_] != '\r')
          ++p_;
      } else if (static_cast<unsigned char>(c) == 0xEF && s_.substr(p_, 3) == "\xEF\xBB\xBF") {
        p_ += 3;
      } else {
        break;
      }
    }
  }
  void expect(char c) {
    skip();
    if (peek() != c)
      fail(std::string("expected '") + c + "'");
    ++p_;
    skip();
  }
  std::string name() {
    skip();
    if (!is_name_start(peek()))
      fail("expected a name");
    auto b = p_;
    while (p_ < s_.size() && is_name_char(s_[p_]))
      ++p_;
    std::string out(s_.substr(b, p_ - b));
    skip();
    return out;
  }

  void variable_definitions() {
    expect('(');
    while (peek() != ')') {
      if (p_ >= s_.size())
        fail("unterminated variable definitions");
      expect('$');
      name();
      expect(':');
      type_ref();
      if (peek() == '=') {
        expect('=');
        value(true);
      }
      directives();
    }
    expect(')');
  }
  void type_ref() {
    if (peek() == '[') {
      expect('[');
      type_ref();
      expect(']');
    } else {
      name();
    }
    if (peek() == '!')
      expect('!');
  }
  void directives() {
    while (peek() == '@') {
      ++p_;
      name();
      if (peek() == '(')
        arguments();
    }
  }
  std::vector<std::pair<std::string, gql_value>> arguments() {
    std::vector<std::pair<std::string, gql_value>> out;
    expect('(');
    while (peek() != ')') {
      if (p_ >= s_.size())
        fail("unterminated arguments");
      auto n = name();
      expect(':');
      out.emplace_back(n, value(false));
    }
    expect(')');
    return out;
  }

  gql_value value(bool constant) {
    skip();
    gql_value v;
    char c = peek();
    if (c == '$') {
      if (constant)
        fail("variable in a constant value");
      ++p_;
      v.k = gql_value::kind::variable;
      v.text = name();
    } else if (c == '"') {
      v.k = gql_value::kind::string;
      v.text = string_value();
      skip();
    } else if (c == '[') {
      expect('[');
      v.k = gql_value::kind::list;
      while (peek() != ']') {
        if (p_ >= s_.size())
          fail("unterminated list");
        v.items.push_back(value(constant));
      }
      expect(']');
    } else if (c == '{') {
      expect('{');
      v.k = gql_value::kind::object;
      while (peek() != '}') {
        if (p_ >= s_.size())
          fail("unterminated object");
        auto n = name();
        expect(':');
        v.fields.emplace_back(n, value(constant));
      }
      expect('}');
    } else if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      auto b = p_++;
      bool floating = false;
      while (p_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[p_])) || s_[p_] == '.' ||
                                s_[p_] == 'e' || s_[p_] == 'E' || s_[p_] == '+' || s_[p_] == '-')) {
        floating = floating || s_[p_] == '.' || s_[p_] == 'e' || s_[p_] == 'E';
        ++p_;
      }
      v.text = std::string(s_.substr(b, p_ - b));
      v.k = floating ? gql_value::kind::floating : gql_value::kind::integer;
      if (!floating) {
        try {
          v.number = std::stoll(v.text);
        } catch (const std::exception&) {
          fail("bad integer " + v.text);
        }
      }
      skip();
    } else if (is_name_start(c)) {
      auto n = name();
      if (n == "true" || n == "false") {
        v.k = gql_value::kind::boolean;
        v.flag = n == "true";
      } else if (n == "null") {
        v.k = gql_value::kind::null;
      } else {
        v.k = gql_value::kind::enumeration;
        v.text = n;
      }
    } else {
      fail("expected a value");
    }
    return v;
  }

  // "…" with escapes, or a """block string""" (kept as written, without common indentation
  // handling: the simulator only compares such strings as queries it then parses again).
  std::string string_value() {
    if (s_.substr(p_, 3) == "\"\"\"") {
      p_ += 3;
      auto end = s_.find("\"\"\"", p_);
      while (end != std::string_view::npos && end > 0 && s_[end - 1] == '\\')
        end = s_.find("\"\"\"", end + 3);
      if (end == std::string_view::npos)
        fail("unterminated block string");
      std::string out(s_.substr(p_, end - p_));
      p_ = end + 3;
      return out;
    }
    ++p_;
    std::string out;
    while (p_ < s_.size() && s_[p_] != '"') {
      char c = s_[p_++];
      if (c == '\n' || c == '\r')
        fail("line break in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (p_ >= s_.size())
        break;
      char e = s_[p_++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (p_ + 4 > s_.size())
            fail("bad \\u escape");
          unsigned cp = std::stoul(std::string(s_.substr(p_, 4)), nullptr, 16);
          p_ += 4;
          if (cp < 0x80) {
            out += static_cast<char>(cp);
          } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          } else {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          }
          break;
        }
        default: out += e; // \" \\ \/
      }
    }
    if (peek() != '"')
      fail("unterminated string");
    ++p_;
    return out;
  }

  std::vector<gql_selection> selection_set() {
    std::vector<gql_selection> out;
    expect('{');
    while (peek() != '}') {
      if (p_ >= s_.size())
        fail("unterminated selection set");
      out.push_back(selection());
    }
    expect('}');
    if (out.empty())
      fail("empty selection set");
    return out;
  }

  gql_selection selection() {
    gql_selection sel;
    if (s_.substr(p_, 3) == "...") {
      p_ += 3;
      skip();
      if (peek() == '{' || peek() == '@') {
        sel.k = gql_selection::kind::inline_fragment;
      } else {
        auto n = name();
        if (n == "on") {
          sel.k = gql_selection::kind::inline_fragment;
          sel.type_condition = name();
        } else {
          sel.k = gql_selection::kind::fragment_spread;
          sel.name = n;
          directives();
          return sel;
        }
      }
      directives();
      sel.children = selection_set();
      sel.has_selection = true;
      return sel;
    }
    auto first = name();
    if (peek() == ':') {
      expect(':');
      sel.alias = first;
      sel.name = name();
    } else {
      sel.name = first;
    }
    if (peek() == '(')
      sel.args = arguments();
    directives();
    if (peek() == '{') {
      sel.children = selection_set();
      sel.has_selection = true;
    }
    return sel;
  }

  std::string_view s_;
  std::size_t p_ = 0;
};

} // namespace

std::optional<gql_document> parse_graphql(std::string_view text, std::string* error) {
  try {
    reader r(text);
    auto doc = r.document();
    if (doc.operations.empty()) {
      if (error)
        *error = "no operation in the document";
      return std::nullopt;
    }
    return doc;
  } catch (const std::exception& e) {
    if (error)
      *error = e.what();
    return std::nullopt;
  }
}

} // namespace shopsync::sim
