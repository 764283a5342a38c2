// Exit status of `marin-sync sync` (CONTRACT.md).
#pragma once

namespace marin::run {

inline constexpr int exit_success = 0;
inline constexpr int exit_run_failed = 1;   // what was written stays written; the next run resumes
inline constexpr int exit_bad_usage = 2;    // command line or configuration
inline constexpr int exit_key_refused = 3;  // the API refused the key

}  // namespace marin::run
