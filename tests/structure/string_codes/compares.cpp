// A fixture for structure.typed_errors_catches: each line below must be reported, but those said fine.
bool a(const error& e) { return e.code.rfind("admin.", 0) == 0; }
bool b(const error& e) { return e.code == "admin.unauthorized"; }
bool c(const error& e) { return e.code != outbox_write_failed_code; }
error d() { return error{"admin.unavailable", "503"}; }
// Shopify's codes are fine: e.code == "THROTTLED"
bool f(const error& e) { return e.code == "THROTTLED"; }
bool g(const error& e) { return e.code == "backup.exists"; }
bool h(const result<std::string>& r) { return r.error().code == "not_found"; }
error i() { return error{"config.invalid", "x"}; }
// The control protocol's reply codes (strings on the wire) are fine:
bool j(std::string_view code) { return code == "bad_request"; }
std::string k() { return control_error("not_found", "no sync group"); }
