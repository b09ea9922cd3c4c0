#pragma once
// An io_context run by its own threads, apart from CAF's scheduler: Beast clients and servers
// do their asynchronous work here, so no actor thread ever waits on a socket.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>
#include <vector>

namespace shopsync {

class io_threads {
public:
  explicit io_threads(int threads);
  ~io_threads(); // stops the context and joins the threads
  io_threads(const io_threads&) = delete;
  io_threads& operator=(const io_threads&) = delete;

  boost::asio::io_context& context() noexcept { return ioc_; }
  void stop();

private:
  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

} // namespace shopsync
