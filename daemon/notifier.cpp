// sd_notify messages (READY, STATUS, WATCHDOG, STOPPING) and a recording twin for tests.
#include "marin/daemon/notifier.hpp"

#include <cstdint>
#include <string>

#include <fmt/format.h>
#include <systemd/sd-daemon.h>

namespace marin::daemon {

void SystemdNotifier::notify(std::string_view state) {
    const std::string message(state);  // sd_notify wants a NUL-terminated string
    // The result is ignored on purpose: < 0 is an error talking to the manager,
    // 0 means no manager is listening; the daemon works the same either way.
    (void)sd_notify(0, message.c_str());
}

std::optional<std::chrono::microseconds> SystemdNotifier::watchdog_interval() const {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) return std::chrono::microseconds(usec);
    return std::nullopt;
}

void RecordingNotifier::notify(std::string_view state) {
    std::lock_guard lock(mutex_);
    messages_.emplace_back(state);
}

std::vector<std::string> RecordingNotifier::messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
}

std::string ready_message(std::string_view version) { return fmt::format("READY=1\nSTATUS=marin-sync {} up", version); }

std::string status_message(std::string_view status_line) {
    std::string line(status_line);
    for (char& c : line) {
        if (c == '\n' || c == '\r') c = ' ';  // one assignment per line in the protocol
    }
    return "STATUS=" + line;
}

}  // namespace marin::daemon
