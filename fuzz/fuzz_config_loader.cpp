// Fuzz target: the TOML configuration loader (toml++ → domain config → validate()).
// Input: the text of a configuration file. Secret files named by the seeds (demo-secrets/*,
// the example's *.token and webhook-secret) exist in a private temp dir used as base_dir, so
// mutated seeds get past secret loading into validate().
// Property checked beyond "no crash": an accepted configuration passes validate() again.
#include "domain/config.hpp"
#include "io/config_file.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

std::string g_base_dir;

void write_file(const std::filesystem::path& p, const char* text) {
  std::ofstream(p) << text << "\n";
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  namespace fs = std::filesystem;
  ::unsetenv("CREDENTIALS_DIRECTORY");
  char tmpl[] = "/tmp/shopsync-fuzz-config-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    std::perror("mkdtemp");
    std::abort();
  }
  g_base_dir = tmpl;
  fs::path base(g_base_dir);
  fs::create_directories(base / "demo-secrets");
  for (const char* f : {"demo-secrets/source.token", "demo-secrets/dest-a.token",
                        "demo-secrets/dest-b.token", "demo-secrets/webhook-secret", "main.token",
                        "outlet.token", "wholesale.token", "webhook-secret", "token", "secret"})
    write_file(base / f, "shpat_fuzz_0123456789abcdef");
  write_file(base / "empty", "");
  // Removed at exit; a crash leaves it behind in /tmp, which is harmless.
  std::atexit([] { std::error_code ec; std::filesystem::remove_all(g_base_dir, ec); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto cfg = shopsync::parse_config(text, "fuzz.toml", g_base_dir);
  if (std::getenv("SHOPSYNC_FUZZ_VERBOSE")) // to see why a seed is refused
    std::fprintf(stderr, "%s\n", cfg ? "accepted" : cfg.error().message.c_str());
  if (cfg) {
    if (!shopsync::validate(*cfg)) {
      std::fprintf(stderr, "accepted configuration fails validate()\n");
      std::abort();
    }
  } else if (cfg.error().code != "config.invalid") {
    std::fprintf(stderr, "unexpected error code %s\n", cfg.error().code.c_str());
    std::abort();
  }
  return 0;
}
