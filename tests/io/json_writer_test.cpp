#include "io/json_writer.hpp"

#include <gtest/gtest.h>

using namespace shopsync;

TEST(json_writer, escapes_strings_and_places_commas) {
  json_writer w;
  w.begin_object()
    .field("a", "x\"y\\z\n\x01")
    .field("n", std::int64_t{-3})
    .field("u", std::uint64_t{18446744073709551615ull})
    .key("list").begin_array().value(true).null().value(std::optional<int>{}).end_array()
    .key("o").begin_object().end_object()
    .end_object();
  EXPECT_EQ(w.str(), R"({"a":"x\"y\\z\n\u0001","n":-3,"u":18446744073709551615,"list":[true,null,null],"o":{}})");
}

TEST(json_writer, keeps_utf8_as_is) {
  json_writer w;
  w.value("Grüße ✓");
  EXPECT_EQ(w.str(), "\"Grüße ✓\"");
}
