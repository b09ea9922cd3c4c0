// A fixture for structure.typed_errors_catches: each line below must be reported.
bool a(const error& e) { return e.code.rfind("admin.", 0) == 0; }
bool b(const error& e) { return e.code == "admin.unauthorized"; }
bool c(const error& e) { return e.code != outbox_write_failed_code; }
error d() { return error{"admin.unavailable", "503"}; }
// Shopify's codes are fine: e.code == "THROTTLED"
bool f(const error& e) { return e.code == "THROTTLED"; }
