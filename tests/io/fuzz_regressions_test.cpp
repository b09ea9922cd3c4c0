// Every input the fuzzers (fuzz/) crashed on, replayed through the shipped g++ build: each
// file under fuzz/regressions/config_loader/ must be refused as a syntax error, and each
// crash is also spelled out with the answer it must get, so the test says what was wrong.
#include "io/config_file.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

using namespace shopsync;

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> reproducers(const std::string& target) {
  std::vector<fs::path> out;
  fs::path dir = fs::path(SHOPSYNC_SOURCE_DIR) / "fuzz" / "regressions" / target;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file()) out.push_back(e.path());
  return out;
}

} // namespace

TEST(fuzz_regressions, config_loader_reproducers_are_syntax_errors) {
  shopsync::testing::temp_dir dir("shopsync-fuzz-regress");
  auto files = reproducers("config_loader");
  ASSERT_FALSE(files.empty()) << "fuzz/regressions/config_loader/ is missing";
  for (const auto& f : files) {
    auto r = parse_config(shopsync::testing::read_file(f), f.filename().string(), dir.str());
    ASSERT_FALSE(r.ok()) << f;
    EXPECT_EQ(r.error().code, "config.invalid") << f;
    EXPECT_NE(r.error().message.find("syntax error"), std::string::npos) << f << ": " << r.error().message;
  }
}

// fuzz_config_loader, first minutes: "[:" fires a debug-only assertion in toml++ 3.3's
// parse_key(); release builds (ours, Debian's libtomlplusplus) must report a syntax error.
TEST(fuzz_regressions, config_table_header_starting_with_colon_is_a_syntax_error) {
  auto r = parse_config("[:\n", "fuzz.toml", "/nonexistent");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "config.invalid");
  EXPECT_NE(r.error().message.find("fuzz.toml:1:"), std::string::npos) << r.error().message;
}

// fuzz_config_loader: U+02A4 where whitespace may stand reaches TOML_UNREACHABLE in toml++
// 3.3.0's is_non_ascii_horizontal_whitespace() (upstream marzer/tomlplusplus#295). The
// shipped libtomlplusplus.so answers with a syntax error; this pins that down.
TEST(fuzz_regressions, config_non_ascii_at_whitespace_position_is_a_syntax_error) {
  for (std::string text : {std::string("\xca\xa4\n:[1"), std::string("a = 1\n\xca\xa4 b = 2\n"),
                           std::string("a = \"x\"  \xca\xa4\n")}) {
    auto r = parse_config(text, "fuzz.toml", "/nonexistent");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, "config.invalid");
    EXPECT_NE(r.error().message.find("syntax error"), std::string::npos) << r.error().message;
  }
}

// fuzz_control_protocol and fuzz_webhook_parser have found no crash yet: when they do, the
// reproducer goes to fuzz/regressions/<target>/ and a test with its expected answer goes here.
