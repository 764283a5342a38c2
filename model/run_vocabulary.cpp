// The run vocabulary's names, as stored in marin.sync_runs and shown in metrics.
#include "marin/model/run_vocabulary.hpp"

namespace marin::model {

std::string_view to_string(RunMode mode) { return mode == RunMode::full ? "full" : "incremental"; }

std::optional<RunMode> run_mode_from_string(std::string_view text) {
    if (text == "full") return RunMode::full;
    if (text == "incremental") return RunMode::incremental;
    return std::nullopt;
}

}  // namespace marin::model
