// Bounded reads of the small files the settings name (config file, key
// files), and the readability check of a file named in the settings.
#include "small_file.hpp"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include "checks.hpp"

namespace marin::config::detail {

namespace {

class FileDescriptor {
  public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }

  private:
    int fd_;
};

}  // namespace

std::optional<std::string> read_small_file(const std::filesystem::path& path, std::size_t max_bytes,
                                           std::string_view too_large, std::string& why) {
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0) {
        why = "cannot open: " + os_error(errno);
        return std::nullopt;
    }
    std::string content;
    char buffer[8192];
    for (;;) {
        ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            why = "cannot read: " + os_error(errno);
            return std::nullopt;
        }
        if (n == 0) break;
        content.append(buffer, static_cast<std::size_t>(n));
        if (content.size() > max_bytes) {
            why = std::string(too_large);
            return std::nullopt;
        }
    }
    return content;
}

std::optional<std::string> check_readable(const std::filesystem::path& path) {
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0) return os_error(errno);
    char byte;
    if (::read(fd.get(), &byte, 1) < 0) return os_error(errno);
    return std::nullopt;
}

}  // namespace marin::config::detail
