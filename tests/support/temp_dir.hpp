#pragma once
// A directory under $TMPDIR that is removed with everything in it when the object dies.
#include <filesystem>
#include <string>

namespace shopsync::testing {

class temp_dir {
public:
  explicit temp_dir(const std::string& prefix = "shopsync-test");
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }
  std::string str() const { return path_.string(); }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
  std::filesystem::path path_;
};

// Path of a file in the shared/ folder beside the repository (schema, sample webhooks).
std::filesystem::path shared_path(const std::string& relative);
// Path of a built program (shopsyncd, shopsyncctl, shopify-sim).
std::filesystem::path binary_path(const std::string& name);
std::string read_file(const std::filesystem::path& p);

} // namespace shopsync::testing

namespace shopsync::testing {
// A loopback TCP port that was free a moment ago (bind to 0, read, close).
unsigned short free_port();
} // namespace shopsync::testing
