// The words every library uses for a run: its mode (and, below, how it
// ended), defined once so that sync, storage, the run and the daemon say
// the same thing.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace marin::model {

// incremental: recent changes and a statistics look-back; full: everything,
// and removals reconciled.
enum class RunMode : std::uint8_t { incremental, full };

// "incremental" / "full": the text in marin.sync_runs.mode, the `mode`
// metric label and log lines.
std::string_view to_string(RunMode mode);
std::optional<RunMode> run_mode_from_string(std::string_view text);

}  // namespace marin::model
