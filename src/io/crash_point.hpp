#pragma once
// Named crash points for the chaos suite (tests/chaos). Compiled in always, inert unless the
// environment variable SHOPSYNC_CRASH_POINT names the point: then the process SIGKILLs itself
// the Nth time it gets there (N = SHOPSYNC_CRASH_AFTER, default 1), exactly as a power cut or
// the OOM killer would, with no destructor, flush or atexit handler run.
// Points: after_inbox_write, after_intent_persisted, before_outbox_clear.
namespace shopsync {

void crash_point(const char* name) noexcept;

} // namespace shopsync
