// The environment as the loader reads it (a snapshot, so tests can give
// their own), and the log format that follows from $JOURNAL_STREAM.
#include "marin/config/environment.hpp"

#include <charconv>
#include <sys/stat.h>
#include <unistd.h>

#include "marin/config/load.hpp"

namespace marin::config {

Environment Environment::from_process() {
    Map vars;
    for (char** entry = environ; entry && *entry; ++entry) {
        std::string_view text(*entry);
        auto equals = text.find('=');
        if (equals == std::string_view::npos) continue;
        vars.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
    }
    return Environment(std::move(vars));
}

std::optional<std::string> Environment::get(std::string_view name) const {
    auto found = vars_.find(name);
    if (found == vars_.end()) return std::nullopt;
    return found->second;
}

void Environment::unset(std::string_view name) {
    auto found = vars_.find(name);
    if (found != vars_.end()) vars_.erase(found);
}

LogSection::Format effective_log_format(const LogSection& log, const Environment& env) {
    if (log.format != LogSection::Format::automatic) return log.format;
    // systemd sets JOURNAL_STREAM=device:inode of the stream it connected
    // stderr to; a child whose stderr was redirected inherits the variable,
    // hence the comparison with what stderr actually is.
    auto stream = env.get("JOURNAL_STREAM");
    if (!stream) return LogSection::Format::text;
    auto colon = stream->find(':');
    if (colon == std::string::npos) return LogSection::Format::text;
    unsigned long long device = 0;
    unsigned long long inode = 0;
    const char* begin = stream->data();
    const char* end = begin + stream->size();
    auto first = std::from_chars(begin, begin + colon, device);
    auto second = std::from_chars(begin + colon + 1, end, inode);
    if (first.ec != std::errc{} || first.ptr != begin + colon || second.ec != std::errc{} || second.ptr != end) {
        return LogSection::Format::text;
    }
    struct stat status {};
    if (::fstat(STDERR_FILENO, &status) != 0) return LogSection::Format::text;
    if (static_cast<unsigned long long>(status.st_dev) == device &&
        static_cast<unsigned long long>(status.st_ino) == inode) {
        return LogSection::Format::journald;
    }
    return LogSection::Format::text;
}

}  // namespace marin::config
