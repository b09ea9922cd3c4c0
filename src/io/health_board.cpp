#include "io/health_board.hpp"

namespace shopsync {

void health_board::set(const std::string& subject, const std::string& problem) {
  std::lock_guard lock(mu_);
  problems_[subject] = problem;
}

void health_board::clear(const std::string& subject) {
  std::lock_guard lock(mu_);
  problems_.erase(subject);
}

std::vector<std::string> health_board::problems() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  out.reserve(problems_.size());
  for (auto& [subject, problem] : problems_)
    out.push_back(subject + ": " + problem);
  return out;
}

} // namespace shopsync
