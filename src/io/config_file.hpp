#pragma once
// The TOML configuration file (toml++) → domain config. Every key is checked: an unknown
// key or a wrong type is an error naming the key, so a typo never passes silently. Secrets
// (access tokens, webhook secrets) are read from files, never from the TOML itself:
// an absolute path is used as it is; a relative one is looked up in $CREDENTIALS_DIRECTORY
// (systemd LoadCredential=) when that is set, else beside the configuration file.
// The result has passed validate(); any failure is error{error_kind::config_invalid, "<key>: <reason>"}.
#include "domain/config.hpp"
#include "domain/result.hpp"

#include <string>

namespace shopsync {

result<config> load_config(const std::string& path);

// The same from TOML text; `origin` names it in messages and relative secret paths are
// resolved against `base_dir` when $CREDENTIALS_DIRECTORY is not set.
result<config> parse_config(const std::string& toml_text, const std::string& origin,
                            const std::string& base_dir);

// Reads one secret file again (an absolute path, e.g. store_config::access_token_path), with
// the same limits and trimming as at load time; `key` names it in the error.
result<std::string> read_secret_file(const std::string& key, const std::string& path);

} // namespace shopsync
