#pragma once
// The JSONL file a finished bulk operation leaves (its `url`), downloaded over HTTP(S) with
// Boost.Beast and handed over one line at a time as the bytes arrive: a whole-catalog file of a
// million variants (hundreds of MB) is never held in memory, only the line being read and one
// read buffer. Each line is given without its '\n', in file order; empty lines are skipped.
// The callbacks run on the io threads of the given io_context, one at a time.
#include "domain/result.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace shopsync {

// Splits a byte stream into lines. Feed chunks in order; `finish` hands over a last line
// without a trailing '\n'.
class jsonl_splitter {
public:
  using line_fn = std::function<void(std::string_view)>;
  explicit jsonl_splitter(line_fn on_line) : on_line_(std::move(on_line)) {}
  void feed(std::string_view bytes);
  void finish();
  std::uint64_t lines() const noexcept { return lines_; }
  // The longest line kept whole so far (memory: the splitter holds at most one line).
  std::size_t longest() const noexcept { return longest_; }

private:
  line_fn on_line_;
  std::string partial_;
  std::uint64_t lines_ = 0;
  std::size_t longest_ = 0;
};

struct bulk_download_options {
  std::chrono::milliseconds connect_timeout{10'000};
  // No byte for this long: the download fails (the file itself may take minutes).
  std::chrono::milliseconds idle_timeout{60'000};
  std::size_t chunk_bytes = 64 * 1024;
};

// GETs `url` (http:// or https://, verified TLS) and hands each line to on_line; `done` gets the
// number of lines, or an error with code "bulk.download".
void download_jsonl(boost::asio::io_context& ioc, const std::string& url,
                    std::function<void(std::string_view)> on_line,
                    std::function<void(result<std::uint64_t>)> done, bulk_download_options opts = {});

// The lines of a bulk file that could not be read: counted, the first one's reason kept. A file
// with any is not used (its reader falls back to queries), so one count serves every reader.
struct bulk_bad_lines {
  std::uint64_t count = 0;
  std::string first;

  // The line's value, or nullopt after noting why it could not be read.
  template <class T>
  std::optional<T> take(result<T> r) {
    if (r.ok())
      return std::move(r.value());
    if (!count++)
      first = r.error().message;
    return std::nullopt;
  }
  std::string describe() const { return std::to_string(count) + " unreadable lines, first: " + first; }
};

} // namespace shopsync
