#include "io/control_client.hpp"
#include "io/control_outcome.hpp"
#include "io/control_protocol.hpp"
#include "io/control_server.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

using namespace shopsync;

namespace {

std::unique_ptr<control_server> start_echo(const std::string& path) {
  auto s = control_server::start({path, {}, 0660}, [](control_request req, control_server::reply_fn reply) {
    if (req.cmd == "echo") {
      reply(control_ok(req.args_json));
    } else if (req.cmd == "big") { // as an audit of a whole flash sale answers: megabytes
      reply(control_ok("\"" + std::string(24u << 20, 'x') + "\""));
    } else if (req.cmd == "slow") {
      // Answers from another thread, later than the request after it.
      std::thread([reply] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        reply(control_ok(R"("slow")"));
      }).detach();
    } else {
      reply(control_error("unknown_command", "unknown command '" + req.cmd + "'"));
    }
  });
  EXPECT_TRUE(s) << (s ? "" : s.error().message);
  return s ? std::move(*s) : nullptr;
}

// A running echo server on a socket in a temporary directory.
struct echo_daemon {
  shopsync::testing::temp_dir dir;
  std::string path = (dir / "control.sock").string();
  std::unique_ptr<control_server> server = start_echo(path);
};

// A unix socket bound at `path` (not listening yet): a stale socket file, or a fake daemon.
int bind_unix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << std::strerror(errno);
  return fd;
}

} // namespace

TEST(control_protocol, parses_requests_and_refuses_bad_ones) {
  auto r = parse_control_request(R"({"cmd":"status","args":{"json":true}})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->cmd, "status");
  EXPECT_EQ(r->args_json, R"({"json":true})");
  EXPECT_EQ(parse_control_request(R"({"cmd":"ping"})")->args_json, "{}");
  for (auto bad : {"", "not json", "[1,2]", R"({"cmd":1})", R"({"args":{}})", R"({"cmd":""})",
                   R"({"cmd":"x","args":[]})", R"({"cmd":"x"} trailing)", "{\"cmd\":\"x\""}) {
    auto e = parse_control_request(bad);
    ASSERT_FALSE(e) << bad;
    EXPECT_EQ(e.error().code, "bad_request") << bad;
  }
}

TEST(control_protocol, reply_round_trip) {
  auto ok = parse_control_reply(control_ok(R"({"a":[1,2]})"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, R"({"a":[1,2]})");
  auto err = parse_control_reply(control_error("nope", "it \"failed\""));
  ASSERT_FALSE(err);
  EXPECT_EQ(err.error().code, "nope");
  EXPECT_EQ(err.error().message, "it \"failed\"");
}

TEST(control_server, answers_over_a_real_unix_socket_with_mode_0660) {
  echo_daemon daemon;
  ASSERT_TRUE(daemon.server);
  const auto& path = daemon.path;
  struct stat st{};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  auto r = control_call(path, "echo", R"({"x":"y"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, R"({"x":"y"})");
  auto unknown = control_call(path, "frobnicate");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "unknown_command");
}

TEST(control_server, malformed_and_oversized_lines_get_errors_not_crashes) {
  echo_daemon daemon;
  ASSERT_TRUE(daemon.server);
  const auto& path = daemon.path;
  auto bad = control_roundtrip(path, "{this is not json");
  ASSERT_TRUE(bad);
  EXPECT_NE(bad->find("bad_request"), std::string::npos);
  auto huge = control_roundtrip(path, std::string(control_max_line + 100, 'x'));
  ASSERT_TRUE(huge);
  EXPECT_NE(huge->find("longer than"), std::string::npos);
  // Still serving afterwards.
  EXPECT_TRUE(control_call(path, "echo", "{}"));
}

TEST(control_server, replies_keep_request_order_on_one_connection) {
  echo_daemon daemon;
  ASSERT_TRUE(daemon.server);
  const auto& path = daemon.path;
  // Two requests in one write: the slow one first. Its reply must come first.
  auto reply = control_roundtrip(path, "{\"cmd\":\"slow\"}\n{\"cmd\":\"echo\",\"args\":{\"n\":2}}");
  ASSERT_TRUE(reply);
  EXPECT_NE(reply->find("slow"), std::string::npos);
}

TEST(control_server, stale_socket_is_replaced_and_live_one_refused) {
  shopsync::testing::temp_dir dir;
  auto path = (dir / "control.sock").string();
  {
    auto first = start_echo(path);
    ASSERT_TRUE(first);
    auto second = control_server::start({path, {}, 0660}, [](control_request, control_server::reply_fn) {});
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, "control.in_use");
  }
  EXPECT_FALSE(std::filesystem::exists(path)); // removed at stop
  // A stale socket file, as a crash leaves it: bound, then closed without unlinking.
  {
    ::close(bind_unix(path));
    ASSERT_TRUE(std::filesystem::exists(path));
  }
  auto again = start_echo(path);
  ASSERT_TRUE(again);
  EXPECT_TRUE(control_call(path, "echo", "{}"));
}

TEST(control_server, peer_whose_uid_is_not_allowed_is_refused) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "needs root to connect as another uid";
  shopsync::testing::temp_dir dir;
  ::chmod(dir.str().c_str(), 0777);
  auto path = (dir / "control.sock").string();
  auto server = control_server::start({path, {}, 0666}, [](control_request, control_server::reply_fn reply) {
    reply(control_ok("true"));
  });
  ASSERT_TRUE(server);
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(pipefd[0]);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0)
      _exit(3);
    auto r = control_call(path, "ping");
    std::string code = r ? "ok" : r.error().code;
    (void)!::write(pipefd[1], code.data(), code.size());
    _exit(0);
  }
  ::close(pipefd[1]);
  char buf[64] = {};
  auto n = ::read(pipefd[0], buf, sizeof buf - 1);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(n)), "access_denied");
  // Allowed uids are honoured.
  ASSERT_TRUE(WIFEXITED(status));
}

TEST(control_outcome, every_error_has_a_kind_and_one_of_two_exit_codes) {
  // Nothing asked: 2. The client's own failures, by kind.
  for (auto kind : {error_kind::control_not_running, error_kind::control_io, error_kind::control_bad_path,
                    error_kind::control_access_denied, error_kind::control_timeout, error_kind::control_bad_reply})
    EXPECT_EQ(exit_code_of(classify_control_error(error{kind, "x"})), 2) << code_of(kind);
  EXPECT_EQ(exit_code_of(control_error_kind::usage), 2);
  EXPECT_EQ(classify_control_error(error{error_kind::control_not_running, "x"}), control_error_kind::unreachable);
  EXPECT_EQ(classify_control_error(error{error_kind::control_timeout, "x"}), control_error_kind::timeout);
  EXPECT_EQ(classify_control_reply_code("access_denied"), control_error_kind::access_denied) << "the daemon's allow list";
  // The daemon said no: 1. Its codes are the control protocol's strings.
  EXPECT_EQ(classify_control_reply_code("not_found"), control_error_kind::not_found);
  EXPECT_EQ(classify_control_reply_code("order.not_found"), control_error_kind::not_found);
  EXPECT_EQ(classify_control_reply_code("order.ambiguous"), control_error_kind::ambiguous);
  EXPECT_EQ(classify_control_reply_code("bad_request"), control_error_kind::refused);
  EXPECT_EQ(classify_control_reply_code("unknown_command"), control_error_kind::refused);
  EXPECT_EQ(classify_control_reply_code("storage"), control_error_kind::failed);
  EXPECT_EQ(classify_control_reply_code("something_new"), control_error_kind::failed);
  EXPECT_EQ(classify_control_reply_code("xnot_found"), control_error_kind::failed) << "a suffix only after a dot";
  EXPECT_EQ(classify_control_error(error{"timeout", "the daemon's word"}), control_error_kind::failed)
      << "a daemon's code is not the client's own failure";
  for (auto code : {"not_found", "order.not_found", "order.ambiguous", "bad_request", "not_ready", "busy",
                    "unknown_command", "internal", "storage"})
    EXPECT_EQ(exit_code_of(classify_control_error(error{code, "x"})), 1) << code;
}

TEST(control_outcome, a_json_error_names_kind_code_and_message) {
  auto j = control_error_json(control_error_kind::not_found, "not_found", "no sync group 'x' (\"stock\")");
  EXPECT_EQ(j, R"j({"error":{"kind":"not_found","code":"not_found","message":"no sync group 'x' (\"stock\")"}})j");
}

TEST(control_outcome, an_unknown_daemon_error_from_a_real_socket_exits_1) {
  echo_daemon daemon;
  ASSERT_TRUE(daemon.server);
  const auto& path = daemon.path;
  auto unknown = control_call(path, "frobnicate");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(exit_code_of(classify_control_error(unknown.error())), 1);
  daemon.server.reset();
  auto gone = control_call(path, "echo");
  ASSERT_FALSE(gone);
  EXPECT_EQ(classify_control_error(gone.error()), control_error_kind::unreachable);
  EXPECT_EQ(exit_code_of(classify_control_error(gone.error())), 2);
}

// An answer of many megabytes arrives whole (read in large pieces, its end looked for only in
// what each piece brought).
TEST(control_client, a_reply_of_many_megabytes_arrives_whole) {
  echo_daemon daemon;
  ASSERT_TRUE(daemon.server);
  const auto& path = daemon.path;
  auto r = control_call(path, "big");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->size(), (24u << 20) + 2);
  EXPECT_EQ(r->front(), '"');
  EXPECT_EQ(r->back(), '"');
}

// A daemon that stops while it answers leaves a reply without its newline: that is said as
// such, not taken for a reply that is not JSON.
TEST(control_client, an_answer_cut_short_is_reported_as_cut_short) {
  shopsync::testing::temp_dir dir;
  auto path = (dir / "control.sock").string();
  int fd = bind_unix(path);
  ASSERT_EQ(::listen(fd, 1), 0);
  std::thread daemon([fd] {
    int c = ::accept(fd, nullptr, nullptr);
    char buf[256];
    (void)::recv(c, buf, sizeof buf, 0);
    const std::string part = R"({"ok":true,"result":[{"kind":"observed"},)";
    (void)::send(c, part.data(), part.size(), MSG_NOSIGNAL);
    ::close(c);
  });
  auto r = control_call(path, "audit");
  daemon.join();
  ::close(fd);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, error_kind::control_io);
  EXPECT_NE(r.error().message.find("in the middle of its answer"), std::string::npos) << r.error().message;
}
