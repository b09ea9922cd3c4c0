#include "io/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace shopsync {

namespace {

// "%*" → "<N>" with N the syslog priority of the record's level (sd-daemon(3)).
class sd_priority_flag : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    static constexpr const char* prio[] = {"<7>", "<7>", "<6>", "<4>", "<3>", "<2>", "<6>"};
    auto idx = static_cast<std::size_t>(msg.level);
    const char* p = idx < 7 ? prio[idx] : "<6>";
    dest.append(p, p + 3);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<sd_priority_flag>();
  }
};

} // namespace

status set_log_level(const std::string& level) {
  auto lvl = spdlog::level::from_str(level);
  // from_str answers "off" for anything it does not know: only accept "off" when asked for.
  if (lvl == spdlog::level::off && level != "off")
    return error{error_kind::bad_log_level, "unknown log level '" + level + "'"};
  spdlog::set_level(lvl);
  return ok_status();
}

status setup_logging(const std::string& level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("shopsync", sink);
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  if (std::getenv("JOURNAL_STREAM")) {
    formatter->add_flag<sd_priority_flag>('*').set_pattern("%*%v");
  } else {
    formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
  }
  logger->set_formatter(std::move(formatter));
  spdlog::set_default_logger(logger);
  spdlog::flush_on(spdlog::level::warn);
  return set_log_level(level);
}

} // namespace shopsync
