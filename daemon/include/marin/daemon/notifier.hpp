#pragma once
// The service manager's notification channel (sd_notify), behind an interface
// so tests can capture what would be sent.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace marin::daemon {

class Notifier {
  public:
    virtual ~Notifier() = default;
    // One sd_notify state string, e.g. "READY=1\nSTATUS=up". Never throws; a
    // failure to deliver is not the daemon's problem to solve.
    virtual void notify(std::string_view state) = 0;
    // The watchdog interval when the service manager expects WATCHDOG=1 pings
    // from this process (WatchdogSec=), nullopt otherwise.
    virtual std::optional<std::chrono::microseconds> watchdog_interval() const = 0;
};

// libsystemd: sd_notify(0, ...) and sd_watchdog_enabled(0, ...). Without
// $NOTIFY_SOCKET (not started by systemd) notify() does nothing.
class SystemdNotifier final : public Notifier {
  public:
    void notify(std::string_view state) override;
    std::optional<std::chrono::microseconds> watchdog_interval() const override;
};

// Keeps every message, for tests and for `--dry-run`-like uses. Thread-safe.
class RecordingNotifier final : public Notifier {
  public:
    explicit RecordingNotifier(std::optional<std::chrono::microseconds> watchdog = std::nullopt)
        : watchdog_(watchdog) {}
    void notify(std::string_view state) override;
    std::optional<std::chrono::microseconds> watchdog_interval() const override { return watchdog_; }
    std::vector<std::string> messages() const;

  private:
    std::optional<std::chrono::microseconds> watchdog_;
    mutable std::mutex mutex_;
    std::vector<std::string> messages_;
};

// The state strings the daemon sends (kept here so the wording lives in one place).
std::string ready_message(std::string_view version);       // READY=1 + STATUS=marin-sync <v> up
std::string status_message(std::string_view status_line);  // STATUS=<line>, newlines flattened
inline constexpr std::string_view stopping_message = "STOPPING=1";
inline constexpr std::string_view watchdog_message = "WATCHDOG=1";

}  // namespace marin::daemon
