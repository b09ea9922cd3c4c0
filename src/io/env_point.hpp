#pragma once
// A named point in the code that tests arm through the environment (crash_point, stall_point):
// inert unless the variable `name_var` names the point; then reached() is true from the Nth time
// the point is passed (N = the variable `after_var`, default 1). The environment is read once.
// Thread-safe; reached() allocates nothing.
#include <atomic>
#include <string>

namespace shopsync {

class env_point {
public:
  env_point(const char* name_var, const char* after_var);
  // Whether passing the point called `name` now is the armed hit.
  bool reached(const char* name) noexcept;

private:
  std::string name_; // empty: inert
  long after_ = 1;
  std::atomic<long> hits_{0};
};

} // namespace shopsync
