// crash_point: inert unless SHOPSYNC_CRASH_POINT names the point; then SIGKILL on the Nth hit
// (SHOPSYNC_CRASH_AFTER). Each case runs in a forked child, since the environment is read once.
#include "io/crash_point.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

namespace {

// Runs `hits` calls of crash_point("p") in a child with the given environment; returns how
// many calls returned (the child's exit code), or -SIGKILL when it was killed.
int run_child(const char* point, const char* after, int hits) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (point)
      ::setenv("SHOPSYNC_CRASH_POINT", point, 1);
    else
      ::unsetenv("SHOPSYNC_CRASH_POINT");
    if (after)
      ::setenv("SHOPSYNC_CRASH_AFTER", after, 1);
    else
      ::unsetenv("SHOPSYNC_CRASH_AFTER");
    int returned = 0;
    for (int i = 0; i < hits; ++i) {
      shopsync::crash_point("before_outbox_clear");
      ++returned;
    }
    ::_exit(returned);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFSIGNALED(status))
    return -WTERMSIG(status);
  return WEXITSTATUS(status);
}

} // namespace

TEST(crash_point, inert_without_the_variable_or_for_another_name) {
  EXPECT_EQ(run_child(nullptr, nullptr, 5), 5);
  EXPECT_EQ(run_child("after_inbox_write", "1", 5), 5);
}

TEST(crash_point, kills_the_process_at_the_first_hit_by_default) {
  EXPECT_EQ(run_child("before_outbox_clear", nullptr, 5), -SIGKILL);
}

TEST(crash_point, kills_at_the_nth_hit) {
  EXPECT_EQ(run_child("before_outbox_clear", "3", 2), 2); // two hits: still alive
  EXPECT_EQ(run_child("before_outbox_clear", "3", 3), -SIGKILL);
}
