#include "io/io_threads.hpp"

namespace shopsync {

io_threads::io_threads(int threads) : ioc_(threads < 1 ? 1 : threads), guard_(ioc_.get_executor()) {
  for (int i = 0; i < (threads < 1 ? 1 : threads); ++i)
    threads_.emplace_back([this] { ioc_.run(); });
}

io_threads::~io_threads() { stop(); }

void io_threads::stop() {
  guard_.reset();
  ioc_.stop();
  for (auto& t : threads_)
    if (t.joinable())
      t.join();
  threads_.clear();
}

} // namespace shopsync
