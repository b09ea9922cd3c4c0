#include "io/webhook_parser.hpp"

#include "domain/gid.hpp"
#include "domain/product_filter.hpp"

#include <simdjson.h>

#include <array>
#include <charconv>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace shopsync {

static_assert(webhook_parser::padding == simdjson::SIMDJSON_PADDING, "keep webhook_parser::padding in step");

namespace od = simdjson::ondemand;
using simdjson::error_code;

namespace {

constexpr std::string_view topics[] = {
    "inventory_levels/update", "inventory_items/update", "orders/create",     "draft_orders/create",
    "draft_orders/update",     "products/create",        "products/update",
    "inventory_levels/connect", "inventory_levels/disconnect", "products/delete",
    "inventory_items/delete", "app/scopes_update", "app/uninstalled"};

bool is_ws(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Syntax pre-scan, linear and iterative: the grammar of JSON (values, keys, colons, commas,
// brackets matched), literals and numbers well-formed, strings terminated, nesting within
// the limit, one object at the root and nothing after it. On-Demand only validates what it
// visits; this covers the fields it skips, so malformed JSON is refused wherever it is.
// (Escapes and control characters inside strings are checked by simdjson where read.)
bool valid_scalar(std::string_view t) {
  if (t == "true" || t == "false" || t == "null")
    return true;
  std::size_t i = 0, n = t.size();
  auto digits = [&] {
    std::size_t s = i;
    while (i < n && t[i] >= '0' && t[i] <= '9')
      ++i;
    return i > s;
  };
  if (i < n && t[i] == '-')
    ++i;
  if (i < n && t[i] == '0')
    ++i;
  else if (!digits())
    return false;
  if (i < n && t[i] == '.') {
    ++i;
    if (!digits())
      return false;
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-'))
      ++i;
    if (!digits())
      return false;
  }
  return i == n;
}

status scan_structure(const char* p, std::size_t n, std::size_t max_depth) {
  auto bad = [](std::string what) { return error{"webhook.malformed", "malformed JSON: " + what}; };
  enum class want { value, value_or_close, key, key_or_close, colon, comma_or_close, nothing };
  std::array<char, 256> stack{};
  if (max_depth > stack.size())
    max_depth = stack.size();
  std::size_t depth = 0;
  want w = want::value;
  std::size_t i = 0;
  // p[i] == '"'; leaves i after the closing quote. Escapes and control characters are
  // checked here too, since On-Demand never looks inside strings it skips.
  const char* string_error = nullptr;
  auto skip_string = [&]() -> bool {
    auto hex = [](char h) {
      return (h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F');
    };
    std::size_t j = i + 1;
    while (j < n) {
      auto c = static_cast<unsigned char>(p[j]);
      if (c == '"') {
        i = j + 1;
        return true;
      }
      if (c < 0x20) {
        string_error = "control character in a string";
        return false;
      }
      if (c == '\\') {
        if (j + 1 >= n)
          break;
        char e = p[j + 1];
        if (e == 'u') {
          if (j + 5 >= n || !hex(p[j + 2]) || !hex(p[j + 3]) || !hex(p[j + 4]) || !hex(p[j + 5])) {
            string_error = "invalid \\u escape";
            return false;
          }
          j += 6;
          continue;
        }
        if (!std::strchr("\"\\/bfnrt", e) || e == 0) {
          string_error = "invalid escape in a string";
          return false;
        }
        j += 2;
        continue;
      }
      ++j;
    }
    string_error = "unterminated string (truncated JSON)";
    return false;
  };
  auto close = [&](char c) -> bool {
    if (depth == 0 || stack[depth - 1] != (c == '}' ? '{' : '['))
      return false;
    --depth;
    w = depth == 0 ? want::nothing : want::comma_or_close;
    ++i;
    return true;
  };
  while (i < n) {
    char c = p[i];
    if (is_ws(c)) {
      ++i;
      continue;
    }
    switch (w) {
    case want::nothing:
      return bad("content after the top-level object");
    case want::value:
    case want::value_or_close:
      if (c == ']' && w == want::value_or_close) {
        close(c);
        continue;
      }
      if (depth == 0 && c != '{')
        return bad("the top level is not an object");
      if (c == '{' || c == '[') {
        if (depth >= max_depth)
          return bad("nesting deeper than " + std::to_string(max_depth) + " levels");
        stack[depth++] = c;
        w = c == '{' ? want::key_or_close : want::value_or_close;
        ++i;
        continue;
      }
      if (c == '"') {
        if (!skip_string())
          return bad(string_error);
        w = want::comma_or_close;
        continue;
      }
      {
        std::size_t s = i;
        while (i < n && ((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'z') || p[i] == '-' ||
                         p[i] == '+' || p[i] == '.' || p[i] == 'E'))
          ++i;
        if (i == s)
          return bad(std::string("unexpected character '") + c + "'");
        if (!valid_scalar(std::string_view(p + s, i - s)))
          return bad("invalid literal '" + std::string(p + s, std::min<std::size_t>(i - s, 20)) + "'");
        w = want::comma_or_close;
      }
      continue;
    case want::key:
    case want::key_or_close:
      if (c == '}' && w == want::key_or_close) {
        close(c);
        continue;
      }
      if (c != '"')
        return bad("expected a key");
      if (!skip_string())
        return bad(string_error);
      w = want::colon;
      continue;
    case want::colon:
      if (c != ':')
        return bad("expected ':'");
      w = want::value;
      ++i;
      continue;
    case want::comma_or_close:
      if (c == ',') {
        w = stack[depth - 1] == '{' ? want::key : want::value;
        ++i;
        continue;
      }
      if ((c == '}' || c == ']') && close(c))
        continue;
      return bad("expected ',' or a closing bracket");
    }
  }
  if (w != want::nothing)
    return bad(n == 0 ? "empty body" : "truncated JSON");
  return ok_status();
}

// Reads values, remembering where it is so that errors name the field.
class reader {
public:
  std::optional<error> err;

  // Path prefix of the object being read ("line_items[0]."), restored by scope.
  struct scope {
    reader& r;
    std::size_t saved;
    scope(reader& rd, std::string_view field, std::optional<std::size_t> index = std::nullopt)
        : r(rd), saved(rd.prefix_.size()) {
      r.prefix_.append(field);
      if (index) {
        r.prefix_ += '[';
        r.prefix_ += std::to_string(*index);
        r.prefix_ += ']';
      }
      r.prefix_ += '.';
    }
    ~scope() { r.prefix_.resize(saved); }
  };

  bool fail(const char* code, std::string_view field, std::string_view what) {
    std::string path = prefix_;
    path.append(field);
    if (field.empty() && !path.empty() && path.back() == '.')
      path.pop_back();
    if (path.empty())
      path = "(document)";
    err = error{code, path + ": " + std::string(what)};
    return false;
  }
  bool json_fail(std::string_view field, error_code e) {
    return fail("webhook.malformed", field, std::string("malformed JSON (") + simdjson::error_message(e) + ")");
  }
  bool missing(std::string_view field) {
    return fail("webhook.missing_field", field, "required field missing");
  }
  bool wrong(std::string_view field, std::string_view expected) {
    return fail("webhook.wrong_type", field, std::string("expected ") + std::string(expected));
  }

  bool type(od::value& v, std::string_view field, od::json_type& t) {
    if (auto e = v.type().get(t))
      return json_fail(field, e);
    return true;
  }

  // An id: an unsigned integer, or a string of digits. null → absent.
  bool id(od::value& v, std::string_view field, std::optional<std::uint64_t>& out) {
    od::json_type t{};
    if (!type(v, field, t))
      return false;
    switch (t) {
    case od::json_type::null:
      out.reset();
      return true;
    case od::json_type::number: {
      std::uint64_t x = 0;
      if (v.get_uint64().get(x) != simdjson::SUCCESS)
        return wrong(field, "a non-negative integer id below 2^64");
      out = x;
      return true;
    }
    case od::json_type::string: {
      std::string_view s;
      if (auto e = v.get_string().get(s))
        return json_fail(field, e);
      std::uint64_t x = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
      if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size())
        return wrong(field, "a non-negative integer id below 2^64");
      out = x;
      return true;
    }
    default:
      return wrong(field, "a non-negative integer id below 2^64");
    }
  }
  bool required_id(od::value& v, std::string_view field, std::uint64_t& out) {
    std::optional<std::uint64_t> x;
    if (!id(v, field, x))
      return false;
    if (!x)
      return fail("webhook.missing_field", field, "required id is null");
    out = *x;
    return true;
  }

  // A string; null → empty.
  bool str(od::value& v, std::string_view field, std::string& out) {
    od::json_type t{};
    if (!type(v, field, t))
      return false;
    if (t == od::json_type::null) {
      out.clear();
      return true;
    }
    if (t != od::json_type::string)
      return wrong(field, "a string");
    std::string_view s;
    if (auto e = v.get_string().get(s))
      return json_fail(field, e);
    out.assign(s);
    return true;
  }

  // Money: a decimal string; a JSON number keeps its raw text (no rounding through double).
  bool money(od::value& v, std::string_view field, std::string& out) {
    od::json_type t{};
    if (!type(v, field, t))
      return false;
    if (t == od::json_type::number) {
      std::string_view raw = v.raw_json_token();
      while (!raw.empty() && is_ws(raw.back()))
        raw.remove_suffix(1);
      out.assign(raw);
      return true;
    }
    if (t != od::json_type::string && t != od::json_type::null)
      return wrong(field, "a decimal string");
    return str(v, field, out);
  }

  // A signed integer within GraphQL Int (32 bits: Shopify's quantities and positions are Int,
  // negative ones included, e.g. oversold stock); null → absent. Strings, fractions, exponents
  // and anything beyond 32 bits are refused: no real webhook carries them, and a value the
  // Admin API could not take back must not enter the sync.
  bool integer(od::value& v, std::string_view field, std::optional<std::int64_t>& out) {
    od::json_type t{};
    if (!type(v, field, t))
      return false;
    if (t == od::json_type::null) {
      out.reset();
      return true;
    }
    std::int64_t x = 0;
    if (t != od::json_type::number || v.get_int64().get(x) != simdjson::SUCCESS ||
        x < std::numeric_limits<std::int32_t>::min() || x > std::numeric_limits<std::int32_t>::max())
      return wrong(field, "a 32-bit integer");
    out = x;
    return true;
  }

  bool boolean(od::value& v, std::string_view field, bool& out) {
    od::json_type t{};
    if (!type(v, field, t))
      return false;
    if (t == od::json_type::null)
      return true; // keep the default
    if (t != od::json_type::boolean || v.get_bool().get(out) != simdjson::SUCCESS)
      return wrong(field, "true or false");
    return true;
  }

  // Webhook tags: one string "a, b" split on commas and trimmed (an array of strings is
  // accepted as well).
  bool tags(od::value& v, std::string_view field, std::vector<std::string>& out) {
    out.clear();
    od::json_type t{};
    if (!type(v, field, t))
      return false;
    if (t == od::json_type::null)
      return true;
    if (t == od::json_type::array) {
      std::size_t i = 0;
      return array(v, field, [&](od::value& item) {
        std::string s;
        if (!str(item, std::string(field) + "[" + std::to_string(i++) + "]", s))
          return false;
        add_tag(out, s);
        return true;
      });
    }
    std::string all;
    if (!str(v, field, all))
      return false;
    std::size_t start = 0;
    while (start <= all.size()) {
      auto comma = all.find(',', start);
      if (comma == std::string::npos)
        comma = all.size();
      add_tag(out, std::string_view(all).substr(start, comma - start));
      start = comma + 1;
    }
    return true;
  }

  // Visits the fields of an object. null → no fields (present=false).
  template <class F>
  bool object(od::value& v, std::string_view field, F&& fn, bool* present = nullptr) {
    od::json_type t{};
    if (!type(v, field, t))
      return false;
    if (present)
      *present = t == od::json_type::object;
    if (t == od::json_type::null && present)
      return true;
    if (t != od::json_type::object)
      return wrong(field, "an object");
    od::object obj;
    if (auto e = v.get_object().get(obj))
      return json_fail(field, e);
    return fields(obj, fn);
  }

  template <class F>
  bool fields(od::object& obj, F&& fn) {
    for (auto fr : obj) {
      od::field f;
      if (auto e = std::move(fr).get(f))
        return json_fail("", e);
      std::string_view key;
      if (auto e = f.unescaped_key().get(key))
        return json_fail("", e);
      if (!fn(key, f.value()))
        return false;
    }
    return true;
  }

  // Visits the elements of an array; null → empty.
  template <class F>
  bool array(od::value& v, std::string_view field, F&& fn) {
    od::json_type t{};
    if (!type(v, field, t))
      return false;
    if (t == od::json_type::null)
      return true;
    if (t != od::json_type::array)
      return wrong(field, "an array");
    od::array arr;
    if (auto e = v.get_array().get(arr))
      return json_fail(field, e);
    for (auto er : arr) {
      od::value item;
      if (auto e = std::move(er).get(item))
        return json_fail(field, e);
      if (!fn(item))
        return false;
    }
    return true;
  }

private:
  static void add_tag(std::vector<std::string>& out, std::string_view s) {
    while (!s.empty() && is_ws(s.front()))
      s.remove_prefix(1);
    while (!s.empty() && is_ws(s.back()))
      s.remove_suffix(1);
    if (!s.empty())
      out.emplace_back(s);
  }

  std::string prefix_;
};

bool read_address(reader& r, od::value& v, std::string_view field, std::optional<mailing_address>& out) {
  mailing_address a;
  bool present = false;
  reader::scope sc(r, field);
  bool ok = r.object(
      v, "",
      [&](std::string_view k, od::value val) {
        std::string* dst = k == "first_name"      ? &a.first_name
                           : k == "last_name"     ? &a.last_name
                           : k == "company"       ? &a.company
                           : k == "address1"      ? &a.address1
                           : k == "address2"      ? &a.address2
                           : k == "city"          ? &a.city
                           : k == "province"      ? &a.province
                           : k == "province_code" ? &a.province_code
                           : k == "zip"           ? &a.zip
                           : k == "country"       ? &a.country
                           : k == "country_code"  ? &a.country_code
                           : k == "phone"         ? &a.phone
                                                  : nullptr;
        return dst ? r.str(val, k, *dst) : true;
      },
      &present);
  if (ok && present)
    out = std::move(a);
  return ok;
}

bool read_customer(reader& r, od::value& v, std::optional<customer_ref>& out) {
  customer_ref c;
  bool present = false;
  reader::scope sc(r, "customer");
  bool ok = r.object(
      v, "",
      [&](std::string_view k, od::value val) {
        if (k == "id")
          return r.id(val, k, c.id);
        if (k == "email")
          return r.str(val, k, c.email);
        if (k == "first_name")
          return r.str(val, k, c.first_name);
        if (k == "last_name")
          return r.str(val, k, c.last_name);
        return true;
      },
      &present);
  if (ok && present)
    out = std::move(c);
  return ok;
}

bool read_note_attributes(reader& r, od::value& v, std::vector<note_attribute>& out) {
  std::size_t i = 0;
  return r.array(v, "note_attributes", [&](od::value& item) {
    note_attribute a;
    reader::scope sc(r, "note_attributes", i++);
    bool ok = r.object(item, "", [&](std::string_view k, od::value val) {
      if (k == "name")
        return r.str(val, k, a.name);
      if (k == "value")
        return r.money(val, k, a.value); // strings, or a number kept as written
      return true;
    });
    if (ok)
      out.push_back(std::move(a));
    return ok;
  });
}

// --- order content: taxes, shipping, discounts (every field nullable, as Shopify documents)

// true/false; null → absent.
bool read_flag(reader& r, od::value& v, std::string_view field, std::optional<bool>& out) {
  od::json_type t{};
  if (!r.type(v, field, t))
    return false;
  if (t == od::json_type::null) {
    out.reset();
    return true;
  }
  bool b = false;
  if (!r.boolean(v, field, b))
    return false;
  out = b;
  return true;
}

// An array of objects, each read field by field into a T by on_field(t, key, value).
template <class T, class F>
bool read_objects(reader& r, od::value& v, std::string_view field, std::vector<T>& out, F&& on_field) {
  std::size_t i = 0;
  return r.array(v, field, [&](od::value& item) {
    T x;
    reader::scope sc(r, field, i++);
    bool ok = r.object(item, "", [&](std::string_view k, od::value val) { return on_field(x, k, val); });
    if (ok)
      out.push_back(std::move(x));
    return ok;
  });
}

bool read_tax_lines(reader& r, od::value& v, std::string_view field, std::vector<tax_line>& out) {
  return read_objects(r, v, field, out, [&](tax_line& t, std::string_view k, od::value val) {
    if (k == "title")
      return r.str(val, k, t.title);
    if (k == "rate")
      return r.money(val, k, t.rate); // a JSON number, kept as written
    if (k == "price")
      return r.money(val, k, t.price);
    return true;
  });
}

// A field of a shipping line (orders: shipping_lines[i]; draft orders: shipping_line, whose
// code is called handle).
bool shipping_line_field(reader& r, shipping_line& s, std::string_view k, od::value val) {
  if (k == "title")
    return r.str(val, k, s.title);
  if (k == "code" || (k == "handle" && s.code.empty()))
    return r.str(val, k, s.code);
  if (k == "source")
    return r.str(val, k, s.source);
  if (k == "price")
    return r.money(val, k, s.price);
  if (k == "tax_lines")
    return read_tax_lines(r, val, k, s.tax_lines);
  return true;
}

bool read_shipping_lines(reader& r, od::value& v, std::vector<shipping_line>& out) {
  return read_objects(r, v, "shipping_lines", out, [&](shipping_line& s, std::string_view k, od::value val) {
    return shipping_line_field(r, s, k, val);
  });
}

bool read_discount_codes(reader& r, od::value& v, std::vector<discount_code>& out) {
  return read_objects(r, v, "discount_codes", out, [&](discount_code& d, std::string_view k, od::value val) {
    if (k == "code")
      return r.str(val, k, d.code);
    if (k == "amount")
      return r.money(val, k, d.amount);
    if (k == "type")
      return r.str(val, k, d.type);
    return true;
  });
}

bool read_discount_applications(reader& r, od::value& v, std::vector<discount_application>& out) {
  return read_objects(r, v, "discount_applications", out,
                      [&](discount_application& d, std::string_view k, od::value val) {
                        if (k == "type")
                          return r.str(val, k, d.type);
                        if (k == "code")
                          return r.str(val, k, d.code);
                        if (k == "title")
                          return r.str(val, k, d.title);
                        if (k == "value")
                          return r.money(val, k, d.value);
                        if (k == "value_type")
                          return r.str(val, k, d.value_type);
                        if (k == "target_type")
                          return r.str(val, k, d.target_type);
                        return true;
                      });
}

// applied_discount of a draft order or a draft line; null → absent.
bool read_applied_discount(reader& r, od::value& v, std::string_view field,
                           std::optional<applied_discount>& out) {
  applied_discount d;
  bool present = false;
  reader::scope sc(r, field);
  bool ok = r.object(
    v, "",
    [&](std::string_view k, od::value val) {
      if (k == "title")
        return r.str(val, k, d.title);
      if (k == "description")
        return r.str(val, k, d.description);
      if (k == "value")
        return r.money(val, k, d.value);
      if (k == "value_type")
        return r.str(val, k, d.value_type);
      if (k == "amount")
        return r.money(val, k, d.amount);
      return true;
    },
    &present);
  if (ok && present)
    out = std::move(d);
  return ok;
}

bool read_lines(reader& r, od::value& v, std::vector<order_line>& out) {
  std::size_t i = 0;
  return r.array(v, "line_items", [&](od::value& item) {
    order_line l;
    bool has_id = false, has_quantity = false;
    reader::scope sc(r, "line_items", i++);
    bool ok = r.object(item, "", [&](std::string_view k, od::value val) {
      if (k == "id")
        return has_id = true, r.required_id(val, k, l.line_id);
      if (k == "variant_id")
        return r.id(val, k, l.variant);
      if (k == "product_id")
        return r.id(val, k, l.product);
      if (k == "sku")
        return r.str(val, k, l.sku);
      if (k == "title")
        return r.str(val, k, l.title);
      if (k == "variant_title")
        return r.str(val, k, l.variant_title);
      if (k == "price")
        return r.money(val, k, l.price);
      if (k == "requires_shipping")
        return read_flag(r, val, k, l.requires_shipping);
      if (k == "taxable")
        return read_flag(r, val, k, l.taxable);
      if (k == "tax_lines")
        return read_tax_lines(r, val, k, l.tax_lines);
      if (k == "applied_discount")
        return read_applied_discount(r, val, k, l.discount);
      if (k == "quantity") {
        std::optional<std::int64_t> q;
        if (!r.integer(val, k, q))
          return false;
        if (!q)
          return r.fail("webhook.missing_field", k, "required field is null");
        has_quantity = true;
        l.quantity = *q;
        return true;
      }
      return true;
    });
    if (!ok)
      return false;
    if (!has_id)
      return r.missing("id");
    if (!has_quantity)
      return r.missing("quantity");
    out.push_back(std::move(l));
    return true;
  });
}

// --- one function per topic: root object → event

bool parse_app_scopes(reader& r, od::object& root, app_scopes_changed& e) {
  auto handles = [&](od::value& v, std::string_view k, std::vector<std::string>& out) {
    std::size_t i = 0;
    return r.array(v, k, [&](od::value& item) {
      reader::scope sc(r, k, i++);
      std::string h;
      if (!r.str(item, "", h))
        return false;
      out.push_back(std::move(h));
      return true;
    });
  };
  return r.fields(root, [&](std::string_view k, od::value v) {
    if (k == "previous")
      return handles(v, k, e.previous);
    if (k == "current")
      return handles(v, k, e.current);
    if (k == "updated_at")
      return r.str(v, k, e.updated_at);
    return true;
  });
}

bool parse_inventory_level(reader& r, od::object& root, inventory_level_changed& e) {
  bool has_item = false, has_location = false;
  bool ok = r.fields(root, [&](std::string_view k, od::value v) {
    if (k == "inventory_item_id")
      return has_item = true, r.required_id(v, k, e.item);
    if (k == "location_id")
      return has_location = true, r.required_id(v, k, e.location);
    if (k == "available")
      return r.integer(v, k, e.available);
    if (k == "updated_at")
      return r.str(v, k, e.updated_at);
    return true;
  });
  if (!ok)
    return false;
  if (!has_item)
    return r.missing("inventory_item_id");
  if (!has_location)
    return r.missing("location_id");
  return true;
}

// inventory_levels/connect|disconnect: the fields of an update (the two ids required, the rest
// may be null or missing; disconnect carries only the ids).
bool parse_level_stocking(reader& r, od::object& root, inventory_level_stocking& e) {
  inventory_level_changed l;
  if (!parse_inventory_level(r, root, l))
    return false;
  e.item = l.item;
  e.location = l.location;
  e.available = l.available;
  return true;
}

bool parse_inventory_item(reader& r, od::object& root, inventory_item_changed& e) {
  bool has_id = false;
  bool ok = r.fields(root, [&](std::string_view k, od::value v) {
    if (k == "id")
      return has_id = true, r.required_id(v, k, e.item);
    if (k == "sku")
      return r.str(v, k, e.sku);
    if (k == "tracked")
      return r.boolean(v, k, e.tracked);
    if (k == "updated_at")
      return r.str(v, k, e.updated_at);
    return true;
  });
  if (!ok)
    return false;
  return has_id || r.missing("id");
}

// products/delete and inventory_items/delete: `{"id": ...}` and nothing else that matters (the
// item's payload also lists its null origin fields). The id is all a deletion can be told by.
template <class Id>
bool parse_deleted(reader& r, od::object& root, Id& id) {
  bool has_id = false;
  bool ok = r.fields(root, [&](std::string_view k, od::value v) {
    if (k == "id")
      return has_id = true, r.required_id(v, k, id);
    return true;
  });
  if (!ok)
    return false;
  return has_id || r.missing("id");
}

bool parse_product_deleted(reader& r, od::object& root, product_deleted& e) { return parse_deleted(r, root, e.id); }
bool parse_item_deleted(reader& r, od::object& root, inventory_item_deleted& e) {
  return parse_deleted(r, root, e.item);
}

// app/uninstalled: the shop's fields; none is required (the envelope names the store).
bool parse_app_uninstalled(reader& r, od::object& root, app_uninstalled& e) {
  return r.fields(root, [&](std::string_view k, od::value v) {
    if (k == "id") {
      std::optional<std::uint64_t> id;
      if (!r.id(v, k, id))
        return false;
      if (id)
        e.shop_id = *id;
      return true;
    }
    if (k == "myshopify_domain")
      return r.str(v, k, e.myshopify_domain);
    return true;
  });
}

// The fields orders and draft orders share (same names, same meaning). Sets `handled`.
template <class Event>
bool read_order_common(reader& r, std::string_view k, od::value v, Event& e, bool& has_lines, bool& handled) {
  handled = true;
  if (k == "name")
    return r.str(v, k, e.name);
  if (k == "email")
    return r.str(v, k, e.email);
  if (k == "currency")
    return r.str(v, k, e.currency);
  if (k == "tags")
    return r.tags(v, k, e.tags);
  if (k == "note")
    return r.str(v, k, e.note);
  if (k == "note_attributes")
    return read_note_attributes(r, v, e.note_attributes);
  if (k == "customer")
    return read_customer(r, v, e.customer);
  if (k == "shipping_address")
    return read_address(r, v, k, e.shipping_address);
  if (k == "billing_address")
    return read_address(r, v, k, e.billing_address);
  if (k == "line_items")
    return has_lines = true, read_lines(r, v, e.lines);
  handled = false;
  return true;
}

bool parse_order(reader& r, od::object& root, order_created& e) {
  bool has_id = false, has_lines = false;
  bool ok = r.fields(root, [&](std::string_view k, od::value v) {
    if (k == "id")
      return has_id = true, r.required_id(v, k, e.id);
    bool handled = false;
    bool good = read_order_common(r, k, v, e, has_lines, handled);
    if (handled)
      return good;
    if (k == "financial_status")
      return r.str(v, k, e.financial_status);
    if (k == "source_name")
      return r.str(v, k, e.source_name);
    if (k == "app_id")
      return r.id(v, k, e.app_id);
    if (k == "total_price")
      return r.money(v, k, e.total_price);
    if (k == "created_at")
      return r.str(v, k, e.created_at);
    if (k == "shipping_lines")
      return read_shipping_lines(r, v, e.shipping_lines);
    if (k == "tax_lines")
      return read_tax_lines(r, v, k, e.tax_lines);
    if (k == "discount_codes")
      return read_discount_codes(r, v, e.discount_codes);
    if (k == "discount_applications")
      return read_discount_applications(r, v, e.discount_applications);
    if (k == "total_discounts")
      return r.money(v, k, e.total_discounts);
    if (k == "taxes_included")
      return read_flag(r, v, k, e.taxes_included);
    return true;
  });
  if (!ok)
    return false;
  if (!has_id)
    return r.missing("id");
  if (!has_lines)
    return r.missing("line_items");
  return true;
}

bool parse_draft_order(reader& r, od::object& root, draft_order_changed& e) {
  bool has_id = false, has_status = false, has_lines = false;
  bool ok = r.fields(root, [&](std::string_view k, od::value v) {
    if (k == "id")
      return has_id = true, r.required_id(v, k, e.id);
    bool handled = false;
    bool good = read_order_common(r, k, v, e, has_lines, handled);
    if (handled)
      return good;
    if (k == "status") {
      if (!r.str(v, k, e.status))
        return false;
      has_status = !e.status.empty();
      return true;
    }
    if (k == "order_id")
      return r.id(v, k, e.completed_order);
    if (k == "api_client_id")
      return r.id(v, k, e.api_client_id);
    if (k == "updated_at")
      return r.str(v, k, e.updated_at);
    if (k == "shipping_line") {
      shipping_line sl;
      bool present = false;
      reader::scope sc(r, k);
      if (!r.object(v, "", [&](std::string_view sk, od::value sv) { return shipping_line_field(r, sl, sk, sv); },
                    &present))
        return false;
      if (present)
        e.shipping = std::move(sl);
      return true;
    }
    if (k == "applied_discount")
      return read_applied_discount(r, v, k, e.discount);
    if (k == "tax_exempt")
      return read_flag(r, v, k, e.tax_exempt);
    if (k == "taxes_included")
      return read_flag(r, v, k, e.taxes_included);
    return true;
  });
  if (!ok)
    return false;
  if (!has_id)
    return r.missing("id");
  if (!has_status)
    return r.missing("status");
  if (!has_lines)
    return r.missing("line_items");
  return true;
}

// A variant's `id` and `inventory_item_id` may be null or absent in real payloads (Shopify's
// own products/create sample has a null inventory_item_id): *usable is then false and the
// caller leaves the variant out of `variants`, keeping its id (when there is one) in
// all_variants, so that the product reads as incomplete and is read again through the API.
bool parse_variant(reader& r, od::value& item, std::size_t index, product_variant_info& out, bool* usable) {
  std::optional<std::uint64_t> id, inventory_item;
  std::array<std::optional<std::string>, 3> options;
  reader::scope sc(r, "variants", index);
  bool ok = r.object(item, "", [&](std::string_view k, od::value v) {
    if (k == "id")
      return r.id(v, k, id);
    if (k == "inventory_item_id")
      return r.id(v, k, inventory_item);
    if (k == "sku")
      return r.str(v, k, out.sku);
    if (k == "barcode")
      return r.str(v, k, out.barcode);
    if (k == "title")
      return r.str(v, k, out.title);
    if (k == "position") {
      std::optional<std::int64_t> p;
      if (!r.integer(v, k, p))
        return false;
      out.position = p ? static_cast<int>(*p) : 0;
      return true;
    }
    if (k.size() == 7 && k.substr(0, 6) == "option" && k[6] >= '1' && k[6] <= '3') {
      od::json_type t{};
      if (!r.type(v, k, t))
        return false;
      if (t == od::json_type::null)
        return true;
      std::string s;
      if (!r.str(v, k, s))
        return false;
      options[static_cast<std::size_t>(k[6] - '1')] = std::move(s);
      return true;
    }
    return true;
  });
  if (!ok)
    return false;
  out.id = id.value_or(0);
  out.item = inventory_item.value_or(0);
  *usable = id && inventory_item;
  for (auto& o : options)
    if (o)
      out.options.push_back(std::move(*o));
  return true;
}

bool parse_product(reader& r, od::object& root, product_changed& e) {
  bool has_id = false;
  std::vector<variant_id> incomplete; // listed variants without an inventory item id
  bool ok = r.fields(root, [&](std::string_view k, od::value v) {
    if (k == "id")
      return has_id = true, r.required_id(v, k, e.id);
    if (k == "handle")
      return r.str(v, k, e.handle);
    if (k == "status")
      return r.str(v, k, e.status);
    if (k == "updated_at")
      return r.str(v, k, e.updated_at);
    if (k == "vendor")
      return r.str(v, k, e.vendor);
    if (k == "product_type")
      return r.str(v, k, e.product_type);
    if (k == "tags") {
      std::string tags;
      if (!r.str(v, k, tags))
        return false;
      e.tags = split_tags(tags);
      return true;
    }
    if (k == "variants") {
      std::size_t i = 0;
      return r.array(v, k, [&](od::value& item) {
        product_variant_info info;
        bool usable = false;
        if (!parse_variant(r, item, i++, info, &usable))
          return false;
        if (usable)
          e.variants.push_back(std::move(info));
        else if (info.id)
          incomplete.push_back(info.id);
        return true;
      });
    }
    if (k == "variant_gids") {
      std::size_t i = 0;
      return r.array(v, k, [&](od::value& item) {
        reader::scope sc(r, "variant_gids", i++);
        std::string gid;
        od::json_type t{};
        if (!r.type(item, "", t))
          return false;
        bool ok = t == od::json_type::string
                      ? r.str(item, "", gid)
                      : r.object(item, "", [&](std::string_view gk, od::value gv) {
                          return gk == "admin_graphql_api_id" ? r.str(gv, gk, gid) : true;
                        });
        if (!ok)
          return false;
        auto id = parse_gid(gid, "ProductVariant");
        if (!id)
          return r.wrong("admin_graphql_api_id", "a ProductVariant GID");
        e.all_variants.push_back(*id);
        return true;
      });
    }
    return true;
  });
  if (!ok)
    return false;
  if (!has_id)
    return r.missing("id");
  // Every variant id is in all_variants, whether or not variant_gids came.
  auto add = [&](variant_id id) {
    bool found = false;
    for (auto known : e.all_variants)
      found = found || known == id;
    if (!found)
      e.all_variants.push_back(id);
  };
  for (auto& v : e.variants)
    add(v.id);
  for (auto id : incomplete)
    add(id);
  return true;
}

} // namespace

struct webhook_parser::impl {
  std::size_t max_depth = webhook_parser::default_max_depth;
  od::parser parser;
  simdjson::dom::parser dom;
  std::string buffer; // body + padding
};

webhook_parser::webhook_parser(std::size_t max_depth) : impl_(new impl) { impl_->max_depth = max_depth; }
webhook_parser::~webhook_parser() = default;

bool webhook_parser::is_known_topic(std::string_view topic) {
  for (auto t : topics)
    if (t == topic)
      return true;
  return false;
}

result<webhook_event> webhook_parser::parse(std::string_view topic, std::string_view body) {
  auto& buf = impl_->buffer;
  if (buf.size() < body.size() + padding)
    buf.resize(body.size() + padding);
  if (!body.empty())
    std::memcpy(buf.data(), body.data(), body.size());
  return parse_padded(topic, buf.data(), body.size(), buf.size());
}

result<webhook_event> webhook_parser::parse_padded(std::string_view topic, const char* data, std::size_t size,
                                                   std::size_t capacity) {
  if (!is_known_topic(topic))
    return error{"webhook.unknown_topic", "topic " + std::string(topic) + " is not parsed"};
  if (capacity < size + padding)
    return error{"webhook.malformed", "internal: body buffer without padding"};
  if (auto st = scan_structure(data, size, impl_->max_depth); !st)
    return st.error();

  reader r;
  od::document doc;
  if (auto e = impl_->parser.iterate(data, size, capacity).get(doc)) {
    r.json_fail("", e);
    return *r.err;
  }
  od::object root;
  if (auto e = doc.get_object().get(root)) {
    r.json_fail("", e);
    return *r.err;
  }

  auto run = [&](auto event, auto&& fn) -> result<webhook_event> {
    if (!fn(r, root, event))
      return *r.err;
    return webhook_event{std::move(event)};
  };
  if (topic == "inventory_levels/update")
    return run(inventory_level_changed{}, parse_inventory_level);
  if (topic == "inventory_items/update")
    return run(inventory_item_changed{}, parse_inventory_item);
  if (topic == "inventory_levels/connect" || topic == "inventory_levels/disconnect") {
    inventory_level_stocking e;
    e.connected = topic == "inventory_levels/connect";
    return run(std::move(e), parse_level_stocking);
  }
  if (topic == "orders/create")
    return run(order_created{}, parse_order);
  if (topic == "app/scopes_update")
    return run(app_scopes_changed{}, parse_app_scopes);
  if (topic == "draft_orders/create" || topic == "draft_orders/update") {
    draft_order_changed d;
    d.created = topic == "draft_orders/create";
    return run(std::move(d), parse_draft_order);
  }
  if (topic == "products/delete")
    return run(product_deleted{}, parse_product_deleted);
  if (topic == "inventory_items/delete")
    return run(inventory_item_deleted{}, parse_item_deleted);
  if (topic == "app/uninstalled")
    return run(app_uninstalled{}, parse_app_uninstalled);
  product_changed p;
  p.created = topic == "products/create";
  return run(std::move(p), parse_product);
}

status webhook_parser::validate(std::string_view body) {
  if (auto st = scan_structure(body.data(), body.size(), impl_->max_depth); !st)
    return st.error();
  simdjson::dom::element el;
  if (auto e = impl_->dom.parse(body.data(), body.size(), true).get(el))
    return error{"webhook.malformed", std::string("malformed JSON (") + simdjson::error_message(e) + ")"};
  return ok_status();
}

} // namespace shopsync
