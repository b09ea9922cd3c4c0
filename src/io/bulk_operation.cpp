#include "io/bulk_operation.hpp"

#include "io/graphql_documents.hpp"
#include "io/json_writer.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <deque>
#include <mutex>

namespace shopsync {

namespace od = simdjson::ondemand;
namespace net = boost::asio;

namespace {

std::string str_or_empty(od::value v) {
  if (v.is_null())
    return {};
  return std::string(std::string_view(v.get_string()));
}

template <class R, class F>
result<R> with_field(std::string& body, std::string_view field, F&& fn) {
  thread_local od::parser parser;
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  try {
    od::document doc = parser.iterate(body.data(), body.size(), body.capacity());
    od::value data = doc.get_object().find_field_unordered("data");
    if (data.is_null())
      return error{error_kind::admin_bad_response, "no data in the answer"};
    od::value v = data.get_object().find_field_unordered(field);
    return fn(v);
  } catch (const simdjson::simdjson_error& e) {
    return error{error_kind::admin_bad_response, std::string("unexpected bulk operation answer: ") + e.what()};
  }
}

bulk_status status_of(od::object o) {
  bulk_status s;
  for (auto f : o) {
    std::string_view k = f.unescaped_key();
    od::value v = f.value();
    if (k == "id")
      s.id = str_or_empty(v);
    else if (k == "status")
      s.status = str_or_empty(v);
    else if (k == "errorCode") {
      if (!v.is_null())
        s.error_code = str_or_empty(v);
    } else if (k == "url") {
      if (!v.is_null())
        s.url = str_or_empty(v);
    } else if (k == "objectCount") {
      // UnsignedInt64: a string in JSON.
      if (v.type() == od::json_type::string) {
        auto t = std::string(std::string_view(v.get_string()));
        s.object_count = t.empty() ? 0 : std::stoull(t);
      } else if (!v.is_null()) {
        s.object_count = std::uint64_t(v.get_uint64());
      }
    }
  }
  return s;
}

bool terminal(const std::string& status) {
  return status == "COMPLETED" || status == "FAILED" || status == "CANCELED" || status == "EXPIRED";
}

struct pending_run {
  std::string query;
  bulk_runner::line_fn on_line;
  bulk_runner::done_fn done;
};

class runner_impl final : public bulk_runner {
public:
  runner_impl(net::io_context& ioc, std::shared_ptr<admin_client> client, bulk_options opts)
    : ioc_(ioc), strand_(net::make_strand(ioc)), client_(std::move(client)), opts_(opts) {}

  void run(std::string query, line_fn on_line, done_fn done) override {
    auto self = shared();
    net::post(strand_, [self, p = pending_run{std::move(query), std::move(on_line), std::move(done)}]() mutable {
      self->queue_.push_back(std::move(p));
      self->next();
    });
  }

  std::uint64_t runs() const override {
    std::lock_guard<std::mutex> lk(mu_);
    return runs_;
  }

private:
  struct current {
    pending_run p;
    std::string id;
    std::chrono::steady_clock::time_point started;
    std::chrono::milliseconds wait{0};
    std::unique_ptr<net::steady_timer> timer;
  };

  std::shared_ptr<runner_impl> shared() { return std::static_pointer_cast<runner_impl>(shared_from_this()); }
  const std::string& store() const { return client_->endpoint().store; }

  // On the strand.
  void next() {
    if (cur_ || queue_.empty())
      return;
    cur_ = std::make_unique<current>();
    cur_->p = std::move(queue_.front());
    queue_.pop_front();
    cur_->started = std::chrono::steady_clock::now();
    cur_->wait = opts_.poll_first;
    cur_->timer = std::make_unique<net::steady_timer>(strand_);
    {
      std::lock_guard<std::mutex> lk(mu_);
      ++runs_;
    }
    json_writer w;
    w.begin_object().field("query", cur_->p.query).end_object();
    auto self = shared();
    client_->post({"BulkOperationRunQuery", std::string(graphql::bulk_operation_run_query), std::move(w).str(),
                   request_safety::query, 10},
                  [self](result<graphql_reply> r) {
                    net::post(self->strand_, [self, r = std::move(r)]() mutable { self->on_started(std::move(r)); });
                  });
  }

  void end(result<bulk_summary> r) {
    auto done = std::move(cur_->p.done);
    cur_.reset();
    if (!r.ok())
      spdlog::warn("store {}: bulk operation failed: {}: {}", store(), r.error().code, r.error().message);
    if (done)
      done(std::move(r));
    next();
  }

  void on_started(result<graphql_reply> r) {
    if (!r.ok())
      return end(r.error());
    auto id = parse_started(std::move(r->body));
    if (!id.ok())
      return end(id.error());
    cur_->id = id.value();
    spdlog::info("store {}: bulk operation {} started", store(), cur_->id);
    poll_later();
  }

  void poll_later() {
    if (std::chrono::steady_clock::now() - cur_->started > opts_.give_up)
      return end(error{error_kind::bulk_timeout, "bulk operation " + cur_->id + " still running after " +
                                         std::to_string(opts_.give_up.count() / 1000) + " s"});
    auto self = shared();
    cur_->timer->expires_after(cur_->wait);
    cur_->wait = std::min(opts_.poll_max, cur_->wait * 2);
    cur_->timer->async_wait([self](boost::system::error_code) { self->poll(); });
  }

  void poll() {
    json_writer w;
    w.begin_object().field("id", cur_->id).end_object();
    auto self = shared();
    client_->post({"BulkOperationStatus", std::string(graphql::bulk_operation_status), std::move(w).str(),
                   request_safety::query, 1},
                  [self](result<graphql_reply> r) {
                    net::post(self->strand_, [self, r = std::move(r)]() mutable { self->on_status(std::move(r)); });
                  });
  }

  void on_status(result<graphql_reply> r) {
    if (!r.ok())
      return end(r.error());
    auto s = parse_status(std::move(r->body));
    if (!s.ok())
      return end(s.error());
    if (!terminal(s->status))
      return poll_later();
    if (s->status != "COMPLETED")
      return end(error{error_kind::bulk_failed, "bulk operation " + cur_->id + " " + s->status +
                                        (s->error_code ? " (" + *s->error_code + ")" : std::string())});
    bulk_summary sum;
    sum.id = cur_->id;
    sum.objects = s->object_count;
    if (!s->url) // nothing matched: Shopify leaves no file
      return end(sum);
    auto self = shared();
    spdlog::info("store {}: bulk operation {} completed ({} objects): downloading", store(), cur_->id,
                 s->object_count);
    // The lines go to the caller from the download's strand; the end comes back here.
    download_jsonl(
      ioc_, *s->url, cur_->p.on_line,
      [self, sum](result<std::uint64_t> n) mutable {
        net::post(self->strand_, [self, sum, n = std::move(n)]() mutable {
          if (!n.ok())
            return self->end(n.error());
          sum.lines = n.value();
          self->end(sum);
        });
      },
      opts_.download);
  }

  net::io_context& ioc_;
  net::strand<net::io_context::executor_type> strand_;
  std::shared_ptr<admin_client> client_;
  bulk_options opts_;
  std::deque<pending_run> queue_;
  std::unique_ptr<current> cur_;
  mutable std::mutex mu_;
  std::uint64_t runs_ = 0;
};

} // namespace

std::shared_ptr<bulk_runner> bulk_runner::make(net::io_context& ioc, std::shared_ptr<admin_client> client,
                                               bulk_options opts) {
  return std::make_shared<runner_impl>(ioc, std::move(client), opts);
}

result<std::string> bulk_runner::parse_started(std::string body) {
  return with_field<std::string>(body, "bulkOperationRunQuery", [](od::value v) -> result<std::string> {
    if (v.is_null())
      return error{error_kind::admin_bad_response, "bulkOperationRunQuery: null"};
    std::string id, refusal;
    for (auto f : v.get_object()) {
      std::string_view k = f.unescaped_key();
      if (k == "bulkOperation") {
        od::value op = f.value();
        if (!op.is_null())
          id = status_of(op.get_object()).id;
      } else if (k == "userErrors") {
        for (auto e : f.value().get_array()) {
          std::string code, message;
          for (auto ef : e.get_object()) {
            std::string_view ek = ef.unescaped_key();
            if (ek == "code")
              code = str_or_empty(ef.value());
            else if (ek == "message")
              message = str_or_empty(ef.value());
          }
          if (refusal.empty())
            refusal = (code.empty() ? std::string("INVALID") : code) + ": " + message;
        }
      }
    }
    if (!refusal.empty())
      return error{error_kind::bulk_refused, refusal};
    if (id.empty())
      return error{error_kind::admin_bad_response, "bulkOperationRunQuery: no operation and no userErrors"};
    return id;
  });
}

result<bulk_status> bulk_runner::parse_status(std::string body) {
  return with_field<bulk_status>(body, "bulkOperation", [](od::value v) -> result<bulk_status> {
    if (v.is_null())
      return error{error_kind::bulk_failed, "the bulk operation is unknown to the store"};
    return status_of(v.get_object());
  });
}

} // namespace shopsync
