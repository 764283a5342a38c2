// Passes a stop request on to the run's listener, at once or when it subscribes.
#include "marin/run/stop_relay.hpp"

namespace marin::run {

void StopRelay::request() {
    std::lock_guard guard(mutex_);
    if (requested_) return;
    requested_ = true;
    if (listener_) listener_();
}

void StopRelay::reset() {
    std::lock_guard guard(mutex_);
    requested_ = false;
}

void StopRelay::on_stop(std::function<void()> callback) {
    std::lock_guard guard(mutex_);
    listener_ = std::move(callback);
    if (listener_ && requested_) listener_();
}

}  // namespace marin::run
