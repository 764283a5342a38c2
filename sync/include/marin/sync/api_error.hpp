// The errors the API client throws. Every message names the request (with
// the key masked) and the cause.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace marin::sync {

class ApiError : public std::runtime_error {
  public:
    enum class Kind {
        auth_refused,       // 403 (and 401): a bad key stops the run
        bad_request,        // 400: validation failed, permanent for this request
        not_found,          // 404: for a child listing, the parent is gone
        retries_exhausted,  // 429/5xx/timeouts/drops, max_attempts times
        transport,          // permanent transport failure (e.g. TLS verification)
        body_too_large,     // response body over ApiSettings::max_body_bytes
        protocol,           // bad JSON, bad page shape, pagination loop, foreign next URL, unexpected status
        cancelled,          // ApiClient::cancel_waits() was called
    };

    // `message` is the whole what() text; callers build it with the request
    // already masked (see mask_key).
    ApiError(Kind kind, unsigned status, std::string endpoint, const std::string& message);

    Kind kind() const noexcept { return kind_; }
    // HTTP status of the answer behind the error; 0 if there was none.
    unsigned status() const noexcept { return status_; }
    // The endpoint label the caller gave (e.g. "campaigns").
    const std::string& endpoint() const noexcept { return endpoint_; }

  private:
    Kind kind_;
    unsigned status_;
    std::string endpoint_;
};

std::string_view to_string(ApiError::Kind kind) noexcept;

// The human message inside an API error body, tolerating
// {"message": "..."}, [{"message": "..."}], {"errors": {...}} (rendered as
// compact JSON) and non-JSON bodies (returned trimmed and shortened to
// `max_chars`). Empty body -> empty string.
std::string extract_error_message(std::string_view body, std::size_t max_chars = 300);

// `text` cut to at most `max_bytes` bytes plus "..." when longer, on a UTF-8
// character boundary, so that what is cut stays valid text (sync_runs.error
// is a PostgreSQL text column, which refuses a broken character).
std::string shorten_text(std::string text, std::size_t max_bytes);

}  // namespace marin::sync
