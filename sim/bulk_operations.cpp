#include "sim/bulk_operations.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <unistd.h>

namespace shopsync::sim {

bulk_file::bulk_file() {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir && *dir ? dir : "/tmp") + "/shopify-sim-bulk-XXXXXX";
  fd_ = ::mkstemp(path.data());
  if (fd_ < 0)
    throw std::runtime_error("cannot make a bulk result file in " + path + ": " + std::strerror(errno));
  ::unlink(path.c_str());
}

bulk_file::~bulk_file() {
  if (fd_ >= 0)
    ::close(fd_);
}

void bulk_file::append(const std::string& bytes) {
  buffer_ += bytes;
  size_ += bytes.size();
  if (buffer_.size() >= (1u << 20))
    finish();
}

void bulk_file::finish() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    auto n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      throw std::runtime_error(std::string("cannot write a bulk result file: ") + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

std::size_t bulk_file::read(std::uint64_t offset, char* buf, std::size_t n) const {
  if (offset >= size_)
    return 0;
  n = static_cast<std::size_t>(std::min<std::uint64_t>(n, size_ - offset));
  auto got = ::pread(fd_, buf, n, static_cast<off_t>(offset));
  return got < 0 ? 0 : static_cast<std::size_t>(got);
}

bulk_status bulk_status_at(const bulk_operation& op, std::chrono::steady_clock::time_point now,
                           bool just_created) {
  bulk_status st;
  if (just_created) {
    st.status = "CREATED";
    return st;
  }
  const double elapsed = std::chrono::duration<double>(now - op.started).count();
  const double rate = op.objects_per_second;
  auto read_by = [&](double secs) -> std::uint64_t {
    if (rate <= 0)
      return op.total.objects;
    return static_cast<std::uint64_t>(std::min<double>(static_cast<double>(op.total.objects), std::floor(secs * rate)));
  };
  auto seconds_for = [&](std::uint64_t objects) { return rate <= 0 ? 0.0 : static_cast<double>(objects) / rate; };
  const auto done = read_by(elapsed);
  auto roots_of = [&](std::uint64_t objects) {
    if (op.total.objects == 0)
      return std::uint64_t{0};
    return op.total.root_objects * objects / op.total.objects;
  };
  if (!op.fail_code.empty() && done >= op.fail_objects) {
    st.status = "FAILED";
    st.error_code = op.fail_code;
    st.object_count = op.fail_objects;
    st.root_object_count = op.fail_roots;
    st.partial_url = op.fail_objects > 0;
    st.partial_size = op.fail_bytes;
    return st;
  }
  st.object_count = done;
  st.root_object_count = done == op.total.objects ? op.total.root_objects : roots_of(done);
  if (done < op.total.objects) {
    st.status = "RUNNING";
    return st;
  }
  st.status = "COMPLETED";
  st.url = op.total.objects > 0;
  st.file_size = st.url ? op.total.bytes : 0;
  st.completed_at = op.created_at + static_cast<i64>(std::ceil(seconds_for(op.total.objects)));
  return st;
}

} // namespace shopsync::sim
