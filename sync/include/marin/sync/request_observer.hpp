// Where metrics and run reports hear about every HTTP attempt.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

namespace marin::sync {

// Called on the client's executor thread; implementations must not block.
class RequestObserver {
  public:
    virtual ~RequestObserver() = default;
    // One call per attempt. status 0 = transport error (no answer).
    virtual void on_response(std::string_view endpoint_label, unsigned status,
                             std::chrono::steady_clock::duration latency, std::size_t body_bytes) = 0;
    // One call per retry, before the wait. reason is short ("429", "503",
    // "timeout", "connection dropped", ...).
    virtual void on_retry(std::string_view endpoint_label, std::string_view reason,
                          std::chrono::milliseconds delay) = 0;
};

}  // namespace marin::sync
