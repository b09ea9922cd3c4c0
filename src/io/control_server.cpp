#include "io/control_server.hpp"

#include <boost/asio.hpp>

#include <spdlog/spdlog.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

namespace shopsync {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

namespace {

bool someone_listens(const std::string& path) {
  asio::io_context io;
  local::socket s(io);
  boost::system::error_code ec;
  s.connect(local::endpoint(path), ec);
  return !ec;
}

// One client connection: reads lines, answers them in order.
class session : public std::enable_shared_from_this<session> {
public:
  session(local::socket sock, control_server::handler_fn& handler, bool allowed)
    : sock_(std::move(sock)), strand_(asio::make_strand(sock_.get_executor())), handler_(handler),
      allowed_(allowed) {}

  void start() { read(); }

private:
  void read() {
    auto self = shared_from_this();
    // One byte over the limit tells an oversized line from one that is just long.
    asio::async_read_until(sock_, asio::dynamic_buffer(buf_, control_max_line + 1), '\n',
                           [self](boost::system::error_code ec, std::size_t n) { self->on_line(ec, n); });
  }

  void on_line(boost::system::error_code ec, std::size_t n) {
    if (ec == asio::error::not_found) {
      // No newline within the limit: answer once and drop the connection.
      closing_ = true;
      enqueue(next_seq_++, control_error("bad_request", "request line longer than " +
                                                            std::to_string(control_max_line) + " bytes"));
      return;
    }
    if (ec) {
      closing_ = true;
      maybe_close();
      return;
    }
    std::string line = buf_.substr(0, n - 1);
    buf_.erase(0, n);
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    auto seq = next_seq_++;
    if (!allowed_) {
      closing_ = true;
      enqueue(seq, control_error("access_denied", "this user may not use the control socket"));
      return;
    }
    if (line.empty()) {
      next_seq_--; // blank lines are ignored
      read();
      return;
    }
    auto req = parse_control_request(line);
    if (!req) {
      enqueue(seq, control_error(req.error().code, req.error().message));
    } else {
      auto self = shared_from_this();
      handler_(std::move(*req), [self, seq](std::string reply) {
        asio::post(self->strand_, [self, seq, reply = std::move(reply)]() mutable {
          self->complete(seq, std::move(reply));
        });
      });
    }
    read();
  }

  void enqueue(std::uint64_t seq, std::string reply) {
    asio::post(strand_, [self = shared_from_this(), seq, reply = std::move(reply)]() mutable {
      self->complete(seq, std::move(reply));
    });
  }

  // Runs on the strand: replies leave in request order.
  void complete(std::uint64_t seq, std::string reply) {
    done_.emplace(seq, std::move(reply));
    flush();
  }

  void flush() {
    if (writing_)
      return;
    auto it = done_.find(next_write_);
    if (it == done_.end()) {
      maybe_close();
      return;
    }
    writing_ = true;
    out_ = std::move(it->second);
    done_.erase(it);
    auto self = shared_from_this();
    asio::async_write(sock_, asio::buffer(out_),
                      asio::bind_executor(strand_, [self](boost::system::error_code ec, std::size_t) {
                        self->writing_ = false;
                        self->next_write_++;
                        if (ec) {
                          self->sock_.close();
                          return;
                        }
                        self->flush();
                      }));
  }

  void maybe_close() {
    if (closing_ && !writing_ && next_write_ == next_seq_) {
      boost::system::error_code ignored;
      sock_.shutdown(local::socket::shutdown_both, ignored);
      sock_.close(ignored);
    }
  }

  local::socket sock_;
  asio::strand<local::socket::executor_type> strand_;
  control_server::handler_fn& handler_;
  bool allowed_;
  std::string buf_, out_;
  std::map<std::uint64_t, std::string> done_;
  std::uint64_t next_seq_ = 0, next_write_ = 0;
  bool writing_ = false, closing_ = false;
};

} // namespace

struct control_server::impl {
  options opts;
  handler_fn handler;
  asio::io_context io;
  local::acceptor acceptor{io};
  std::thread thread;
  bool stopped = false;

  void accept() {
    acceptor.async_accept([this](boost::system::error_code ec, local::socket sock) {
      if (ec)
        return; // acceptor closed
      ucred cred{};
      socklen_t len = sizeof cred;
      bool allowed = false;
      if (::getsockopt(sock.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
        allowed = cred.uid == 0 || cred.uid == ::geteuid() ||
                  std::find(opts.allowed_uids.begin(), opts.allowed_uids.end(), cred.uid) !=
                      opts.allowed_uids.end();
        if (!allowed)
          spdlog::warn("control: refused peer uid={} pid={}", cred.uid, cred.pid);
      }
      std::make_shared<session>(std::move(sock), handler, allowed)->start();
      accept();
    });
  }
};

control_server::control_server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

result<std::unique_ptr<control_server>> control_server::start(options opts, handler_fn handler) {
  namespace fs = std::filesystem;
  std::error_code fec;
  if (fs::exists(opts.path, fec)) {
    if (someone_listens(opts.path))
      return error{error_kind::control_in_use, "another shopsyncd is already listening on " + opts.path};
    fs::remove(opts.path, fec); // stale socket from a crash
    if (fec)
      return error{error_kind::control_bind, "cannot remove stale socket " + opts.path + ": " + fec.message()};
  }
  auto parent = fs::path(opts.path).parent_path();
  if (!parent.empty())
    fs::create_directories(parent, fec);

  auto p = std::make_unique<impl>();
  p->opts = std::move(opts);
  p->handler = std::move(handler);
  boost::system::error_code ec;
  p->acceptor.open(local(), ec);
  if (!ec) {
    // Restrict the mode from the first moment the file exists.
    auto old = ::umask(0777 & ~p->opts.mode);
    p->acceptor.bind(local::endpoint(p->opts.path), ec);
    ::umask(old);
  }
  if (!ec)
    ::chmod(p->opts.path.c_str(), p->opts.mode);
  if (!ec)
    p->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return error{error_kind::control_bind, "cannot listen on " + p->opts.path + ": " + ec.message()};
  p->accept();
  auto* raw = p.get();
  p->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<control_server>(new control_server(std::move(p)));
}

void control_server::stop() {
  if (!impl_ || impl_->stopped)
    return;
  impl_->stopped = true;
  asio::post(impl_->io, [p = impl_.get()] {
    boost::system::error_code ec;
    p->acceptor.close(ec);
  });
  impl_->io.stop();
  if (impl_->thread.joinable())
    impl_->thread.join();
  std::error_code fec;
  std::filesystem::remove(impl_->opts.path, fec);
}

control_server::~control_server() { stop(); }

} // namespace shopsync
