#pragma once
// The configuration text the config tests start from, and the one edit they make to it.
#include <string>

namespace shopsync::testing {

// A small valid configuration: one Source ("main"), one Destination ("outlet"), one one-way
// group ("stock"). Tests replace or append lines to break one thing at a time.
const std::string& minimal_config_text();

// `text` with the first `from` replaced by `to`; throws when `from` is absent, so a test never
// checks an edit that did not happen.
std::string replace_once(std::string text, const std::string& from, const std::string& to);

} // namespace shopsync::testing
